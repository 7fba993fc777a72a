import { zodResolver } from "@hookform/resolvers/zod";
import { ShieldCheckIcon } from "lucide-react";
import { useForm } from "react-hook-form";
import { z } from "zod";
import { Button } from "@/components/ui/button";
import { FormField } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { applyServerErrors } from "@/lib/api/errors";
import { useCompleteSetup } from "@/features/auth/api/complete-setup";
import { FormError } from "@/features/auth/components/form-error";

const schema = z.object({
  token: z.string().trim().min(1, "Paste the setup token from the server log").max(128),
  email: z.string().trim().min(1, "Enter an e-mail").max(254).pipe(z.email("Enter a valid e-mail")),
  name: z.string().trim().min(1, "Enter your name").max(100),
  password: z.string().min(8, "At least 8 characters").max(256),
});
type Values = z.infer<typeof schema>;
const fields = ["token", "email", "name", "password"] as const;

export function SetupForm({ onDone }: { onDone: () => void }) {
  const form = useForm<Values>({
    resolver: zodResolver(schema),
    defaultValues: { token: "", email: "", name: "", password: "" },
  });
  const setup = useCompleteSetup();
  const { errors, isSubmitting } = form.formState;

  const onSubmit = form.handleSubmit(async (values) => {
    try {
      await setup.mutateAsync(values);
      onDone();
    } catch (err) {
      applyServerErrors(err, form.setError, fields, { root: true });
    }
  });

  return (
    <form onSubmit={onSubmit} noValidate className="grid gap-4">
      <FormError message={errors.root?.server?.message} />
      <FormField
        id="setup-token"
        label="Setup token"
        hint="Printed once in the server log as setup_token when Downlink first started."
        error={errors.token?.message}
      >
        {(a) => (
          // text-base and a taller line: at 1× a 14 px monospace underscore fell on the field's clipped bottom edge.
          <Input autoComplete="off" spellCheck={false} autoFocus className="h-10 font-mono text-base leading-7" {...a} {...form.register("token")} />
        )}
      </FormField>
      <FormField id="setup-name" label="Your name" error={errors.name?.message}>
        {(a) => <Input autoComplete="name" {...a} {...form.register("name")} />}
      </FormField>
      <FormField id="setup-email" label="E-mail" error={errors.email?.message}>
        {(a) => <Input type="email" autoComplete="email" {...a} {...form.register("email")} />}
      </FormField>
      <FormField id="setup-password" label="Password" hint="At least 8 characters." error={errors.password?.message}>
        {(a) => <Input type="password" autoComplete="new-password" {...a} {...form.register("password")} />}
      </FormField>
      <Button type="submit" disabled={isSubmitting} className="w-full">
        <ShieldCheckIcon aria-hidden /> {isSubmitting ? "Creating…" : "Create admin account"}
      </Button>
    </form>
  );
}
