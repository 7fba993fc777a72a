import { zodResolver } from "@hookform/resolvers/zod";
import { useForm } from "react-hook-form";
import { toast } from "sonner";
import { z } from "zod";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { FormField } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { applyServerErrors } from "@/lib/api/errors";
import { useUpdateMe } from "@/features/auth/api/update-me";

const schema = z
  .object({
    current_password: z.string().min(1, "Enter your current password").max(256),
    new_password: z.string().min(8, "At least 8 characters").max(256),
    confirm: z.string(),
  })
  .refine((v) => v.new_password === v.confirm, { path: ["confirm"], message: "The passwords differ" });
type Values = z.infer<typeof schema>;

/** Local accounts only: changing the password signs out the other sessions. */
export function PasswordForm() {
  const form = useForm<Values>({
    resolver: zodResolver(schema),
    defaultValues: { current_password: "", new_password: "", confirm: "" },
  });
  const update = useUpdateMe();
  const { errors, isSubmitting } = form.formState;

  const onSubmit = form.handleSubmit(async (v) => {
    try {
      await update.mutateAsync({ current_password: v.current_password, new_password: v.new_password });
      form.reset();
      toast.success("Password changed", { description: "Your other sessions were signed out." });
    } catch (err) {
      applyServerErrors(err, form.setError, ["current_password", "new_password"]);
    }
  });

  return (
    <Card>
      <CardHeader>
        <CardTitle>Password</CardTitle>
        <CardDescription>Changing it signs out your other devices.</CardDescription>
      </CardHeader>
      <CardContent>
        <form onSubmit={onSubmit} noValidate className="grid gap-4">
          <FormField id="pw-current" label="Current password" error={errors.current_password?.message}>
            {(a) => <Input type="password" autoComplete="current-password" {...a} {...form.register("current_password")} />}
          </FormField>
          <FormField id="pw-new" label="New password" hint="At least 8 characters." error={errors.new_password?.message}>
            {(a) => <Input type="password" autoComplete="new-password" {...a} {...form.register("new_password")} />}
          </FormField>
          <FormField id="pw-confirm" label="Repeat new password" error={errors.confirm?.message}>
            {(a) => <Input type="password" autoComplete="new-password" {...a} {...form.register("confirm")} />}
          </FormField>
          <div>
            <Button type="submit" disabled={isSubmitting}>
              {isSubmitting ? "Changing…" : "Change password"}
            </Button>
          </div>
        </form>
      </CardContent>
    </Card>
  );
}
