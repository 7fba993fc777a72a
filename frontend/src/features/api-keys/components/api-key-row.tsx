import { BarChart3Icon, KeyRoundIcon, MoreHorizontalIcon, PencilIcon, Trash2Icon } from "lucide-react";
import { useState } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { DropdownMenu, DropdownMenuContent, DropdownMenuItem, DropdownMenuSeparator, DropdownMenuTrigger } from "@/components/ui/dropdown-menu";
import type { Schemas } from "@/lib/api/client";
import { formatDateTime, formatRelative } from "@/lib/format";
import { useRevokeApiKey } from "@/features/api-keys/api/revoke-api-key";
import { ApiKeyStatus } from "@/features/api-keys/components/api-key-status";
import { EditApiKeyDialog } from "@/features/api-keys/components/edit-api-key-dialog";
import type { Scope } from "@/features/api-keys/utils/scopes";

const weekMs = 7 * 86_400_000;

/** One key: name, status, scopes, when it was last used and from where, and its limits. */
export function ApiKeyRow({
  apiKey: k,
  owner,
  availableScopes,
  onUsage,
}: {
  apiKey: Schemas["APIKey"];
  owner?: string;
  availableScopes: readonly Scope[];
  onUsage: (key: Schemas["APIKey"]) => void;
}) {
  const [editing, setEditing] = useState(false);
  const [revoking, setRevoking] = useState(false);
  const revoke = useRevokeApiKey();
  const expiresSoon = k.status === "active" && k.expires_at != null && new Date(k.expires_at).getTime() - Date.now() < weekMs;
  const limits = [
    `${k.rate_limit_per_minute}/min`,
    k.daily_download_quota != null ? `${k.daily_download_quota} downloads/day` : null,
    k.allowed_ips.length > 0 ? `from ${k.allowed_ips.join(", ")}` : "from anywhere",
  ].filter(Boolean);
  return (
    <li className="flex flex-wrap items-start gap-3 py-3" data-testid="api-key-row" data-id={k.id} data-status={k.status}>
      <KeyRoundIcon className="mt-1 size-5 shrink-0 text-muted-foreground" aria-hidden />
      <div className="grid min-w-0 flex-1 basis-64 gap-1">
        <p className="flex flex-wrap items-center gap-2">
          <span className="font-medium break-all">{k.name}</span>
          <ApiKeyStatus status={k.status} />
          <code className="text-xs text-muted-foreground" title="The key's last eight characters">
            dlk_…{k.last_eight}
          </code>
        </p>
        {owner && <p className="text-xs text-muted-foreground">Owner: {owner}</p>}
        <ul className="flex flex-wrap gap-1" aria-label="Scopes">
          {k.scopes.map((s) => (
            <li key={s}>
              <Badge variant={s.startsWith("admin") ? "warning" : "secondary"}>{s}</Badge>
            </li>
          ))}
        </ul>
        <p className="text-xs text-muted-foreground">
          {k.last_used_at ? (
            <>
              Last used <time dateTime={k.last_used_at} title={formatDateTime(k.last_used_at)}>{formatRelative(k.last_used_at)}</time>
              {k.last_used_ip && ` from ${k.last_used_ip}`}
            </>
          ) : (
            "Never used"
          )}
          {" · "}created {formatDateTime(k.created_at)}
          {" · "}
          {k.revoked_at ? (
            `revoked ${formatDateTime(k.revoked_at)}`
          ) : k.expires_at ? (
            <span className={expiresSoon ? "font-medium text-warning" : undefined}>
              {k.status === "expired" ? "expired" : "expires"} {formatDateTime(k.expires_at)}
            </span>
          ) : (
            "never expires"
          )}
        </p>
        <p className="text-xs text-muted-foreground">{limits.join(" · ")}</p>
      </div>
      <div className="ml-auto flex items-center gap-1">
        <Button variant="outline" size="sm" onClick={() => onUsage(k)} aria-label={`Usage of ${k.name}`}>
          <BarChart3Icon aria-hidden /> Usage
        </Button>
        {k.status !== "revoked" && (
          <DropdownMenu>
            <DropdownMenuTrigger asChild>
              <Button variant="ghost" size="icon-sm" aria-label={`Actions for ${k.name}`}>
                <MoreHorizontalIcon aria-hidden />
              </Button>
            </DropdownMenuTrigger>
            <DropdownMenuContent align="end">
              <DropdownMenuItem onSelect={() => setEditing(true)}>
                <PencilIcon aria-hidden /> Edit…
              </DropdownMenuItem>
              <DropdownMenuSeparator />
              <DropdownMenuItem destructive onSelect={() => setRevoking(true)}>
                <Trash2Icon aria-hidden /> Revoke…
              </DropdownMenuItem>
            </DropdownMenuContent>
          </DropdownMenu>
        )}
      </div>
      <EditApiKeyDialog apiKey={k} availableScopes={availableScopes} open={editing} onOpenChange={setEditing} />
      <ConfirmDialog
        open={revoking}
        onOpenChange={setRevoking}
        title={`Revoke “${k.name}”?`}
        description="Programs using this key are refused from now on, on every node. This cannot be undone; its usage history stays readable."
        confirmLabel="Revoke key"
        onConfirm={() => revoke.mutate(k)}
      />
    </li>
  );
}
