import { toast } from "sonner";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import type { Schemas } from "@/lib/api/client";
import { useUpdateApiKey } from "@/features/api-keys/api/update-api-key";
import { ApiKeyForm, type ApiKeyValues, parseIps } from "@/features/api-keys/components/api-key-form";
import { expiryToRequest } from "@/features/api-keys/utils/expiry";
import type { Scope } from "@/features/api-keys/utils/scopes";

/** Only what was changed is sent, so a concurrent change elsewhere is not undone. */
export function toUpdateRequest(v: ApiKeyValues, dirty: Partial<Record<keyof ApiKeyValues, unknown>>, now = new Date()): Schemas["UpdateAPIKeyRequest"] {
  const body: Schemas["UpdateAPIKeyRequest"] = {};
  if (dirty.name) body.name = v.name.trim();
  if (dirty.scopes) body.scopes = v.scopes;
  if (dirty.rate_limit_per_minute) body.rate_limit_per_minute = Number(v.rate_limit_per_minute);
  if (dirty.daily_download_quota) body.daily_download_quota = v.daily_download_quota.trim() === "" ? null : Number(v.daily_download_quota);
  if (dirty.allowed_ips) body.allowed_ips = parseIps(v.allowed_ips);
  const expires = expiryToRequest(v.expiry, v.expiry_date, now);
  if (expires !== undefined) body.expires_at = expires;
  return body;
}

export function EditApiKeyDialog({
  apiKey,
  availableScopes,
  open,
  onOpenChange,
}: {
  apiKey: Schemas["APIKey"];
  availableScopes: readonly Scope[];
  open: boolean;
  onOpenChange: (open: boolean) => void;
}) {
  const update = useUpdateApiKey();
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent className="max-w-2xl">
        <DialogHeader>
          <DialogTitle>Edit “{apiKey.name}”</DialogTitle>
          <DialogDescription>Changes apply to the key at once; the key itself stays the same.</DialogDescription>
        </DialogHeader>
        {open && (
          <ApiKeyForm
            apiKey={apiKey}
            availableScopes={availableScopes}
            submitLabel="Save changes"
            onSubmit={async (v, dirty) => {
              const body = toUpdateRequest(v, dirty);
              if (Object.keys(body).length > 0) {
                await update.mutateAsync({ id: apiKey.id, body });
                toast.success(`“${body.name ?? apiKey.name}” saved`);
              }
              onOpenChange(false);
            }}
          />
        )}
      </DialogContent>
    </Dialog>
  );
}
