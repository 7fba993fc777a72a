import { useEffect, useState } from "react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Switch } from "@/components/ui/switch";
import type { Schemas } from "@/lib/api/client";
import { problemOf } from "@/lib/api/problem";
import { useAccountSettings, useTestEmail, useUpdateAccountSettings } from "@/features/settings/api/account-settings";

type Form = { invite: string; reset: string; host: string; port: string; username: string; password: string; clearPassword: boolean; from: string; starttls: boolean };

const fromSettings = (s: Schemas["AccountSettings"]): Form => ({
  invite: String(s.invite_link_hours),
  reset: String(s.reset_link_hours),
  host: s.smtp.host,
  port: String(s.smtp.port || 587),
  username: s.smtp.username,
  password: "",
  clearPassword: false,
  from: s.smtp.from,
  starttls: s.smtp.starttls,
});

/** Link lifetimes and the optional SMTP server that e-mails invitations and reset links. */
export function AccountsSettingsForm() {
  const settings = useAccountSettings();
  const save = useUpdateAccountSettings();
  const test = useTestEmail();
  const [f, setF] = useState<Form | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (settings.data && !f) setF(fromSettings(settings.data));
  }, [settings.data, f]);
  if (!f || !settings.data) return null;
  const set = <K extends keyof Form>(k: K, v: Form[K]) => setF({ ...f, [k]: v });

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setError(null);
    const smtp: Schemas["AccountSettingsUpdate"]["smtp"] = { host: f.host.trim(), port: Number(f.port) || 0, username: f.username, from: f.from, starttls: f.starttls };
    if (f.password) smtp.password = f.password;
    else if (f.clearPassword) smtp.password = null;
    try {
      const s = await save.mutateAsync({ invite_link_hours: Number(f.invite), reset_link_hours: Number(f.reset), smtp });
      setF(fromSettings(s));
      toast.success("Account settings saved");
    } catch (err) {
      const p = problemOf(err);
      setError(p?.errors?.map((x) => `${x.field}: ${x.message}`).join("; ") || p?.detail || p?.title || "Not saved.");
    }
  };

  const field = (id: keyof Form, label: string, props: React.ComponentProps<typeof Input> = {}) => (
    <div className="grid gap-1.5">
      <Label htmlFor={`acc-${id}`}>{label}</Label>
      <Input id={`acc-${id}`} value={String(f[id])} onChange={(e) => set(id, e.target.value as never)} {...props} />
    </div>
  );

  return (
    <Card>
      <CardHeader>
        <CardTitle>Adding people</CardTitle>
        <CardDescription>How long invitation and reset links work, and the mail server that sends them (optional: without it you copy the links yourself).</CardDescription>
      </CardHeader>
      <CardContent>
        <form onSubmit={submit} className="grid gap-4" noValidate>
          <div className="grid gap-4 sm:grid-cols-2">
            {field("invite", "Invitation links work for (hours)", { type: "number", min: 1, max: 720 })}
            {field("reset", "Reset links work for (hours)", { type: "number", min: 1, max: 72 })}
          </div>
          <fieldset className="grid gap-4">
            <legend className="mb-1 text-sm font-medium">E-mail (SMTP)</legend>
            <div className="grid gap-4 sm:grid-cols-[1fr_8rem]">
              {field("host", "Server (empty: no e-mail)", { placeholder: "smtp.example.org" })}
              {field("port", "Port", { type: "number", min: 1, max: 65535 })}
            </div>
            <div className="grid gap-4 sm:grid-cols-2">
              {field("username", "User name", { autoComplete: "off" })}
              {field("password", settings.data.smtp.password_set ? "Password (stored; type to replace)" : "Password", { type: "password", autoComplete: "new-password" })}
            </div>
            {settings.data.smtp.password_set && (
              <label className="flex items-center gap-2 text-sm">
                <input type="checkbox" checked={f.clearPassword} onChange={(e) => set("clearPassword", e.target.checked)} /> Remove the stored password
              </label>
            )}
            {field("from", "Sender", { placeholder: "Downlink <downlink@example.org>" })}
            <label className="flex items-center gap-2 text-sm">
              <Switch checked={f.starttls} onCheckedChange={(c) => set("starttls", c)} aria-label="Require STARTTLS" /> Require STARTTLS (encrypt before sending anything)
            </label>
          </fieldset>
          {error && (
            <p role="alert" className="text-sm text-destructive">
              {error}
            </p>
          )}
          <div className="flex flex-wrap gap-2">
            <Button type="submit" disabled={save.isPending}>
              {save.isPending ? "Saving…" : "Save"}
            </Button>
            <Button
              type="button"
              variant="outline"
              disabled={!settings.data.smtp.host || test.isPending}
              onClick={async () => {
                const r = await test.mutateAsync();
                if (r.sent) toast.success(`Test e-mail sent to ${r.to}`);
                else toast.error("The mail server did not take it", { description: r.error ?? undefined });
              }}
            >
              Send me a test e-mail
            </Button>
          </div>
        </form>
      </CardContent>
    </Card>
  );
}
