import { PlusIcon } from "lucide-react";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle, DialogTrigger } from "@/components/ui/dialog";
import type { Schemas } from "@/lib/api/client";
import { useCreateApiKey } from "@/features/api-keys/api/create-api-key";
import { ApiKeyForm, type ApiKeyValues, parseIps } from "@/features/api-keys/components/api-key-form";
import { KeyCreatedDialog } from "@/features/api-keys/components/key-created-dialog";
import { expiryToRequest } from "@/features/api-keys/utils/expiry";
import type { Scope } from "@/features/api-keys/utils/scopes";

export function toCreateRequest(v: ApiKeyValues, now = new Date()): Schemas["CreateAPIKeyRequest"] {
  const body: Schemas["CreateAPIKeyRequest"] = {
    name: v.name.trim(),
    scopes: v.scopes,
    rate_limit_per_minute: Number(v.rate_limit_per_minute),
    daily_download_quota: v.daily_download_quota.trim() === "" ? null : Number(v.daily_download_quota),
    allowed_ips: parseIps(v.allowed_ips),
  };
  const expires = expiryToRequest(v.expiry, v.expiry_date, now);
  if (expires !== undefined) body.expires_at = expires;
  return body;
}

/** "New API key": the form in a dialog, then the copy-once dialog with the key. */
export function CreateApiKeyDialog({ availableScopes }: { availableScopes: readonly Scope[] }) {
  const [open, setOpen] = useState(false);
  const [created, setCreated] = useState<Schemas["APIKeyCreated"] | null>(null);
  const create = useCreateApiKey();
  return (
    <>
      <Dialog open={open} onOpenChange={setOpen}>
        <DialogTrigger asChild>
          <Button>
            <PlusIcon aria-hidden /> New API key
          </Button>
        </DialogTrigger>
        <DialogContent className="max-w-2xl">
          <DialogHeader>
            <DialogTitle>New API key</DialogTitle>
            <DialogDescription>A key acts as you, limited to the scopes you pick. It is shown once, right after this.</DialogDescription>
          </DialogHeader>
          <ApiKeyForm
            availableScopes={availableScopes}
            submitLabel="Create key"
            onSubmit={async (v) => {
              const key = await create.mutateAsync(toCreateRequest(v));
              setOpen(false);
              setCreated(key);
            }}
          />
        </DialogContent>
      </Dialog>
      <KeyCreatedDialog created={created} onClose={() => setCreated(null)} />
    </>
  );
}
