import { zodResolver } from "@hookform/resolvers/zod";
import { useForm } from "react-hook-form";
import { toast } from "sonner";
import { z } from "zod";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { FormField } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { applyServerErrors } from "@/lib/api/errors";
import type { Schemas } from "@/lib/api/client";
import { useUpdateMe } from "@/features/auth/api/update-me";

const schema = z.object({
  name: z.string().trim().min(1, "Enter a name").max(100),
  avatar_url: z
    .string()
    .trim()
    .max(2048)
    .refine((v) => v === "" || /^https?:\/\/\S+$/i.test(v), "Use an http(s) image URL"),
});
type Values = z.infer<typeof schema>;

export function ProfileForm({ me }: { me: Schemas["Me"] }) {
  const form = useForm<Values>({
    resolver: zodResolver(schema),
    values: { name: me.user.name, avatar_url: me.user.avatar_url ?? "" },
  });
  const update = useUpdateMe();
  const { errors, isSubmitting, isDirty } = form.formState;

  const onSubmit = form.handleSubmit(async (v) => {
    try {
      await update.mutateAsync({ name: v.name, avatar_url: v.avatar_url === "" ? null : v.avatar_url });
      toast.success("Profile saved");
    } catch (err) {
      applyServerErrors(err, form.setError, ["name", "avatar_url"]);
    }
  });

  return (
    <Card>
      <CardHeader>
        <CardTitle>Profile</CardTitle>
        <CardDescription>
          {me.user.email} · {me.role === "admin" ? "Administrator" : "User"} ·{" "}
          {me.user.auth_source === "local" ? "local account" : `signs in with ${me.user.issuer ?? "SSO"}`}
        </CardDescription>
      </CardHeader>
      <CardContent>
        <form onSubmit={onSubmit} noValidate className="grid gap-4">
          <FormField id="profile-name" label="Name" error={errors.name?.message}>
            {(a) => <Input autoComplete="name" {...a} {...form.register("name")} />}
          </FormField>
          <FormField id="profile-avatar" label="Avatar URL" hint="An https image on GitHub, Google or Gravatar (or your sign-in provider); leave empty for initials." error={errors.avatar_url?.message}>
            {(a) => <Input type="url" inputMode="url" placeholder="https://…" {...a} {...form.register("avatar_url")} />}
          </FormField>
          <div>
            <Button type="submit" disabled={isSubmitting || !isDirty}>
              {isSubmitting ? "Saving…" : "Save profile"}
            </Button>
          </div>
        </form>
      </CardContent>
    </Card>
  );
}
