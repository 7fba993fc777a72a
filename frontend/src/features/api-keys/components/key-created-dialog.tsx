import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { CopyField } from "@/components/ui/copy-field";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import type { Schemas } from "@/lib/api/client";
import { curlExample } from "@/features/api-keys/utils/curl-example";

/**
 * The only time a key is shown: the key and a curl command that uses it,
 * both ready to copy. A click outside does not close it, so the key is not
 * lost by accident.
 */
export function KeyCreatedDialog({ created, onClose }: { created: Schemas["APIKeyCreated"] | null; onClose: () => void }) {
  const example = created ? curlExample(created.key, created.scopes, window.location.origin) : null;
  return (
    <Dialog open={!!created} onOpenChange={(o) => !o && onClose()}>
      <DialogContent className="max-w-2xl" onInteractOutside={(e) => e.preventDefault()} data-testid="key-created-dialog">
        <DialogHeader>
          <DialogTitle>Copy your new API key</DialogTitle>
          <DialogDescription>“{created?.name}” is ready.</DialogDescription>
        </DialogHeader>
        {created && example && (
          <div className="grid gap-4">
            <Alert variant="warning" title="This is the only time the key is shown">
              Downlink keeps only a hash of it. Store it somewhere safe now; if it is lost, revoke it and create a new one.
            </Alert>
            <CopyField id="new-key" label="API key" copyLabel="Copy the API key" value={created.key} testId="new-api-key" />
            <div className="grid gap-1">
              <CopyField id="new-key-curl" label="Try it with curl" copyLabel="Copy the curl command" value={example.command} multiline testId="curl-example" />
              <p className="text-xs text-muted-foreground">{example.what} Programs may also send the key as an X-API-Key header.</p>
            </div>
          </div>
        )}
        <DialogFooter>
          <Button onClick={onClose}>Done, I have copied it</Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}
