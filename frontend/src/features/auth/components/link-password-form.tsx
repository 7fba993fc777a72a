import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { problemOf } from "@/lib/api/problem";
import { useLinkSignIn } from "@/features/auth/api/link-flows";

/** The token of a one-time link: `#token=…` (never sent to a server by the browser). */
export function tokenFromHash(hash: string): string {
  return new URLSearchParams(hash.replace(/^#/, "")).get("token") ?? "";
}

/** Choose a password with an invitation or reset link; signs in on success. */
export function LinkPasswordForm({ kind, onDone }: { kind: "invite" | "reset"; onDone: () => void }) {
  const [token] = useState(() => tokenFromHash(window.location.hash));
  const [name, setName] = useState("");
  const [password, setPassword] = useState("");
  const [confirm, setConfirm] = useState("");
  const [error, setError] = useState<string | null>(null);
  const signIn = useLinkSignIn(kind);

  if (!token) return <p role="alert">This link is incomplete. Open the whole link you were sent, or ask an administrator for a new one.</p>;

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    if (password.length < 8) return setError("The password needs at least 8 characters.");
    if (password !== confirm) return setError("The passwords differ.");
    setError(null);
    try {
      await signIn.mutateAsync({ token, password, ...(kind === "invite" && name.trim() ? { name: name.trim() } : {}) });
      onDone();
    } catch (err) {
      const p = problemOf(err);
      setError(p?.errors?.map((f) => f.message).join("; ") || p?.detail || p?.title || "That did not work; try again.");
    }
  };
  return (
    <form onSubmit={submit} noValidate className="grid gap-3">
      {kind === "invite" && (
        <div className="grid gap-1.5">
          <Label htmlFor="link-name">Your name (optional)</Label>
          <Input id="link-name" autoComplete="name" value={name} onChange={(e) => setName(e.target.value)} />
        </div>
      )}
      <div className="grid gap-1.5">
        <Label htmlFor="link-password">New password</Label>
        <Input id="link-password" type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} />
      </div>
      <div className="grid gap-1.5">
        <Label htmlFor="link-confirm">Repeat the password</Label>
        <Input id="link-confirm" type="password" autoComplete="new-password" value={confirm} onChange={(e) => setConfirm(e.target.value)} />
      </div>
      {error && (
        <p role="alert" className="text-sm text-destructive">
          {error}
        </p>
      )}
      <Button type="submit" disabled={signIn.isPending}>
        {signIn.isPending ? "Saving…" : kind === "invite" ? "Create my account" : "Set password and sign in"}
      </Button>
    </form>
  );
}
