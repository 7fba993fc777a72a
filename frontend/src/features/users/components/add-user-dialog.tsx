import { useState } from "react";
import { UserPlusIcon } from "lucide-react";
import { Button } from "@/components/ui/button";
import { Checkbox } from "@/components/ui/checkbox";
import { CopyButton } from "@/components/ui/copy-field";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle, DialogTrigger } from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { problemOf } from "@/lib/api/problem";
import { type AddResult, type NewPerson, useAddPerson } from "@/features/users/api/add-people";

const empty: NewPerson = { email: "", name: "", role: "user", mode: "invite", send_email: false };

/** Adds someone: an invitation link (they choose their password) or an account with a temporary password. */
export function AddUserDialog({ mailConfigured }: { mailConfigured: boolean }) {
  const [open, setOpen] = useState(false);
  const [v, setV] = useState<NewPerson>(empty);
  const [result, setResult] = useState<AddResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const add = useAddPerson();
  const set = <K extends keyof NewPerson>(k: K, val: NewPerson[K]) => setV((p) => ({ ...p, [k]: val }));

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      setResult(await add.mutateAsync(v));
    } catch (err) {
      const p = problemOf(err);
      setError(p?.errors?.map((f) => `${f.field}: ${f.message}`).join("; ") || p?.detail || p?.title || "Could not add this person.");
    }
  };
  const close = (o: boolean) => {
    setOpen(o);
    if (!o) {
      setV(empty);
      setResult(null);
      setError(null);
    }
  };

  return (
    <Dialog open={open} onOpenChange={close}>
      <DialogTrigger asChild>
        <Button>
          <UserPlusIcon aria-hidden /> Add user
        </Button>
      </DialogTrigger>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>{result ? "Pass this on" : "Add user"}</DialogTitle>
          <DialogDescription>
            {result ? "Shown once: Downlink keeps only a hash of it." : "Invite someone with a one-time link, or give them a temporary password they must change."}
          </DialogDescription>
        </DialogHeader>
        {result ? (
          <AddedSummary result={result} />
        ) : (
          <form id="add-user-form" onSubmit={submit} className="grid gap-3" noValidate>
            <div className="grid gap-1.5">
              <Label htmlFor="add-email">E-mail</Label>
              <Input id="add-email" type="email" required autoComplete="off" value={v.email} onChange={(e) => set("email", e.target.value)} />
            </div>
            <div className="grid gap-1.5">
              <Label htmlFor="add-name">Name</Label>
              <Input id="add-name" value={v.name} onChange={(e) => set("name", e.target.value)} />
            </div>
            <div className="grid gap-1.5">
              <Label htmlFor="add-role">Role</Label>
              <Select value={v.role} onValueChange={(r) => set("role", r as NewPerson["role"])}>
                <SelectTrigger id="add-role">
                  <SelectValue />
                </SelectTrigger>
                <SelectContent>
                  <SelectItem value="user">User</SelectItem>
                  <SelectItem value="admin">Admin</SelectItem>
                </SelectContent>
              </Select>
            </div>
            <fieldset className="grid gap-2">
              <legend className="mb-1 text-sm font-medium">How they get in</legend>
              <label className="flex items-center gap-2 text-sm">
                <input type="radio" name="add-mode" checked={v.mode === "invite"} onChange={() => set("mode", "invite")} /> Invitation link (they choose a password)
              </label>
              <label className="flex items-center gap-2 text-sm">
                <input type="radio" name="add-mode" checked={v.mode === "password"} onChange={() => set("mode", "password")} /> Temporary password (changed at first sign-in)
              </label>
            </fieldset>
            {v.mode === "invite" && (
              <label className="flex items-center gap-2 text-sm">
                <Checkbox checked={v.send_email} disabled={!mailConfigured} onCheckedChange={(c) => set("send_email", c === true)} />
                {mailConfigured ? "Also e-mail the link" : "E-mail the link (set up an SMTP server in Settings → Accounts)"}
              </label>
            )}
            {error && (
              <p role="alert" className="text-sm text-destructive">
                {error}
              </p>
            )}
          </form>
        )}
        <DialogFooter>
          {result ? (
            <Button onClick={() => close(false)}>Done</Button>
          ) : (
            <Button type="submit" form="add-user-form" disabled={add.isPending || !v.email}>
              {add.isPending ? "Adding…" : v.mode === "invite" ? "Create invitation" : "Add user"}
            </Button>
          )}
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}

function AddedSummary({ result }: { result: AddResult }) {
  if (result.kind === "password") {
    return (
      <div className="grid gap-2 text-sm">
        <p>
          <strong>{result.email}</strong> can sign in now and must choose a new password first.
        </p>
        {result.password && <SecretLine label="Temporary password" value={result.password} />}
      </div>
    );
  }
  return (
    <div className="grid gap-2 text-sm">
      <p>
        Send <strong>{result.email}</strong> this link. It works once, until {new Date(result.link.expires_at).toLocaleString()}.
        {result.link.emailed && " It was e-mailed too."}
        {result.link.email_error && ` E-mailing it failed: ${result.link.email_error}`}
      </p>
      <SecretLine label="Invitation link" value={result.link.url} />
    </div>
  );
}

export function SecretLine({ label, value }: { label: string; value: string }) {
  return (
    <div className="flex items-center gap-2">
      <code aria-label={label} data-testid="secret-value" className="min-w-0 flex-1 rounded bg-muted px-2 py-1.5 font-mono text-xs break-all">
        {value}
      </code>
      <CopyButton value={value} label={`Copy ${label.toLowerCase()}`} />
    </div>
  );
}
