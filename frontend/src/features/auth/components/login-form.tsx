import { zodResolver } from "@hookform/resolvers/zod";
import { LogInIcon } from "lucide-react";
import { useForm } from "react-hook-form";
import { z } from "zod";
import { Button } from "@/components/ui/button";
import { FormField } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { applyServerErrors } from "@/lib/api/errors";
import { useLogin } from "@/features/auth/api/login";
import { FormError } from "@/features/auth/components/form-error";

const schema = z.object({
  email: z.string().trim().min(1, "Enter your e-mail").max(254),
  password: z.string().min(1, "Enter your password").max(256),
});
type Values = z.infer<typeof schema>;

export function LoginForm({ onSignedIn }: { onSignedIn: () => void }) {
  const form = useForm<Values>({ resolver: zodResolver(schema), defaultValues: { email: "", password: "" } });
  const login = useLogin();
  const { errors, isSubmitting } = form.formState;

  const onSubmit = form.handleSubmit(async (values) => {
    try {
      await login.mutateAsync(values);
      onSignedIn();
    } catch (err) {
      applyServerErrors(err, form.setError, ["email", "password"], { root: true });
    }
  });

  return (
    <form onSubmit={onSubmit} noValidate className="grid gap-4">
      <FormError message={errors.root?.server?.message} />
      <FormField id="login-email" label="E-mail" error={errors.email?.message}>
        {(a) => <Input type="email" autoComplete="username" autoFocus {...a} {...form.register("email")} />}
      </FormField>
      <FormField id="login-password" label="Password" error={errors.password?.message}>
        {(a) => <Input type="password" autoComplete="current-password" {...a} {...form.register("password")} />}
      </FormField>
      <Button type="submit" disabled={isSubmitting} className="w-full">
        <LogInIcon aria-hidden /> {isSubmitting ? "Signing in…" : "Sign in"}
      </Button>
    </form>
  );
}
