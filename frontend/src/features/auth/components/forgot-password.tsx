import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import type { Schemas } from "@/lib/api/client";
import { useForgotPassword } from "@/features/auth/api/link-flows";

/** "Forgot password?": e-mails a link when the server sends e-mail, else says to ask an administrator. */
export function ForgotPassword({ help }: { help?: Schemas["PasswordHelp"] }) {
  const [open, setOpen] = useState(false);
  const [email, setEmail] = useState("");
  const forgot = useForgotPassword();
  if (!open) {
    return (
      <Button variant="link" className="h-auto justify-self-start p-0 text-sm" onClick={() => setOpen(true)}>
        Forgot password?
      </Button>
    );
  }
  if (!help?.email) {
    return (
      <p role="status" className="rounded-md bg-muted p-3 text-sm">
        {help?.message ?? "Ask an administrator for a password reset link."}
      </p>
    );
  }
  if (forgot.data) {
    return (
      <p role="status" className="rounded-md bg-muted p-3 text-sm">
        {forgot.data.message}
      </p>
    );
  }
  return (
    <form
      className="grid gap-2"
      onSubmit={(e) => {
        e.preventDefault();
        forgot.mutate(email);
      }}
    >
      <Label htmlFor="forgot-email">E-mail for the reset link</Label>
      <div className="flex gap-2">
        <Input id="forgot-email" type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} />
        <Button type="submit" disabled={!email || forgot.isPending}>
          Send link
        </Button>
      </div>
      {forgot.error && <p role="alert" className="text-sm text-destructive">{forgot.error.message}</p>}
    </form>
  );
}
