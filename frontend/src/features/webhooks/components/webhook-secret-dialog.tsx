import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { CopyField } from "@/components/ui/copy-field";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import type { Schemas } from "@/lib/api/client";

/** The only time a webhook's signing secret is shown. */
export function WebhookSecretDialog({ created, onClose }: { created: Schemas["WebhookCreated"] | null; onClose: () => void }) {
  return (
    <Dialog open={!!created} onOpenChange={(o) => !o && onClose()}>
      <DialogContent className="max-w-xl" onInteractOutside={(e) => e.preventDefault()}>
        <DialogHeader>
          <DialogTitle>Copy the signing secret</DialogTitle>
          <DialogDescription className="break-all">Webhook to {created?.url}</DialogDescription>
        </DialogHeader>
        {created && (
          <div className="grid gap-4">
            <Alert variant="warning" title="This is the only time the secret is shown">
              The receiver uses it to check the webhook-signature header (Standard Webhooks: HMAC-SHA256 over id, timestamp and body).
            </Alert>
            <CopyField id="webhook-secret" label="Signing secret" copyLabel="Copy the signing secret" value={created.secret} testId="webhook-secret" />
          </div>
        )}
        <DialogFooter>
          <Button onClick={onClose}>Done, I have copied it</Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}
