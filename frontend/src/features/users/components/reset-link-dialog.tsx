import { useEffect } from "react";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { problemOf } from "@/lib/api/problem";
import { useResetLink } from "@/features/users/api/add-people";
import { SecretLine } from "@/features/users/components/add-user-dialog";

/** Makes a one-time password reset link for a local account when opened. */
export function ResetLinkDialog({ userId, who, open, onOpenChange }: { userId: string; who: string; open: boolean; onOpenChange: (o: boolean) => void }) {
  const reset = useResetLink();
  const { mutate, reset: clear } = reset;
  useEffect(() => {
    if (open) mutate({ id: userId, send: false });
    else clear();
  }, [open, userId, mutate, clear]);
  const p = reset.error ? problemOf(reset.error) : null;
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>Reset password of {who}</DialogTitle>
          <DialogDescription>Send them this link: it lets them choose a new password once. Older links stop working.</DialogDescription>
        </DialogHeader>
        {reset.data && (
          <div className="grid gap-2 text-sm">
            <SecretLine label="Reset link" value={reset.data.url} />
            <p className="text-muted-foreground">Works until {new Date(reset.data.expires_at).toLocaleString()}.</p>
          </div>
        )}
        {p && <p role="alert" className="text-sm text-destructive">{p.detail ?? p.title}</p>}
        {reset.isPending && <p className="text-sm text-muted-foreground">Making the link…</p>}
        <DialogFooter>
          <Button onClick={() => onOpenChange(false)}>Done</Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}
