import { BanIcon, CircleCheckIcon, HardDriveIcon, LogOutIcon, MoreHorizontalIcon, KeyRoundIcon } from "lucide-react";
import { useState } from "react";
import { toast } from "sonner";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { DropdownMenu, DropdownMenuContent, DropdownMenuItem, DropdownMenuSeparator, DropdownMenuTrigger } from "@/components/ui/dropdown-menu";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import type { Schemas } from "@/lib/api/client";
import { formatBytes, formatDateTime, formatRelative } from "@/lib/format";
import { cn } from "@/lib/utils";
import { useRevokeUserSessions } from "@/features/users/api/revoke-user-sessions";
import { useUpdateUser } from "@/features/users/api/update-user";
import { ResetLinkDialog } from "@/features/users/components/reset-link-dialog";
import { QuotaDialog } from "@/features/users/components/quota-dialog";

export type UserUsage = { used_bytes: number; quota_bytes: number | null; files: number };

function initials(name: string, email: string) {
  return (name.trim() || email)
    .split(/[\s@.]+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((p) => p[0]!.toUpperCase())
    .join("");
}

type Confirm = null | "disable" | "enable" | "signout" | "demote-self";

/** One account: who, role, status, storage, and the admin's actions on it. */
export function UserRow({
  user: u,
  isMe,
  usage,
  defaultQuota,
  onError,
}: {
  user: Schemas["User"];
  isMe: boolean;
  usage?: UserUsage;
  defaultQuota: number | null | undefined;
  onError: (err: unknown) => void;
}) {
  const [confirm, setConfirm] = useState<Confirm>(null);
  const [quotaOpen, setQuotaOpen] = useState(false);
  const [resetOpen, setResetOpen] = useState(false);
  const update = useUpdateUser();
  const signOut = useRevokeUserSessions();
  const who = u.name || u.email;

  const patch = (body: Schemas["UpdateUserRequest"], done: string) =>
    update.mutate({ id: u.id, body }, { onSuccess: () => toast.success(done), onError });

  const setRole = (role: Schemas["Role"]) => {
    if (role === u.role) return;
    if (isMe && role === "user") setConfirm("demote-self");
    else patch({ role }, role === "admin" ? `${who} is now an admin` : `${who} is no longer an admin`);
  };

  const quota = u.storage_quota_bytes ?? usage?.quota_bytes ?? null;
  return (
    <li className={cn("flex flex-wrap items-center gap-3 py-3", u.disabled && "opacity-80")} data-testid="user-row" data-id={u.id}>
      {u.avatar_url ? (
        <img src={u.avatar_url} alt="" className="size-9 shrink-0 rounded-full object-cover" />
      ) : (
        <span aria-hidden className="flex size-9 shrink-0 items-center justify-center rounded-full bg-primary/12 text-xs font-semibold text-primary">
          {initials(u.name, u.email)}
        </span>
      )}
      <div className="grid min-w-0 flex-1 basis-56 gap-0.5">
        <p className="flex flex-wrap items-center gap-2">
          <span className="font-medium break-all">{u.name || u.email}</span>
          {isMe && <Badge variant="secondary">You</Badge>}
          {u.role === "admin" && <Badge>Admin</Badge>}
          {u.disabled && <Badge variant="destructive">Disabled</Badge>}
          <Badge variant="outline">{u.auth_source === "local" ? "Password" : `SSO${u.issuer ? `: ${u.issuer.replace(/^https?:\/\//, "")}` : ""}`}</Badge>
        </p>
        {u.name && <p className="text-sm break-all text-muted-foreground">{u.email}</p>}
        <p className="text-xs text-muted-foreground">
          {u.last_login_at ? (
            <>
              Last sign-in <time dateTime={u.last_login_at} title={formatDateTime(u.last_login_at)}>{formatRelative(u.last_login_at)}</time>
            </>
          ) : (
            "Never signed in"
          )}
          {" · "}joined {formatDateTime(u.created_at)}
          {" · "}
          <span data-testid="user-storage">
            {usage ? `${formatBytes(usage.used_bytes)} used` : "storage"}
            {quota != null ? ` of ${formatBytes(quota)}${u.storage_quota_bytes == null ? " (default quota)" : ""}` : ", no quota"}
          </span>
        </p>
      </div>
      <div className="ml-auto flex items-center gap-1">
        <Select value={u.role} onValueChange={(v) => setRole(v as Schemas["Role"])} disabled={update.isPending}>
          <SelectTrigger className="h-8 w-28" aria-label={`Role of ${who}`}>
            <SelectValue />
          </SelectTrigger>
          <SelectContent>
            <SelectItem value="admin">Admin</SelectItem>
            <SelectItem value="user">User</SelectItem>
          </SelectContent>
        </Select>
        <DropdownMenu>
          <DropdownMenuTrigger asChild>
            <Button variant="ghost" size="icon-sm" aria-label={`Actions for ${who}`}>
              <MoreHorizontalIcon aria-hidden />
            </Button>
          </DropdownMenuTrigger>
          <DropdownMenuContent align="end">
            <DropdownMenuItem onSelect={() => setQuotaOpen(true)}>
              <HardDriveIcon aria-hidden /> Storage quota…
            </DropdownMenuItem>
            {u.auth_source === "local" && (
              <DropdownMenuItem onSelect={() => setResetOpen(true)}>
                <KeyRoundIcon aria-hidden /> Reset password…
              </DropdownMenuItem>
            )}
            <DropdownMenuItem onSelect={() => setConfirm("signout")}>
              <LogOutIcon aria-hidden /> Sign out everywhere…
            </DropdownMenuItem>
            <DropdownMenuSeparator />
            {u.disabled ? (
              <DropdownMenuItem onSelect={() => setConfirm("enable")}>
                <CircleCheckIcon aria-hidden /> Enable…
              </DropdownMenuItem>
            ) : (
              <DropdownMenuItem destructive onSelect={() => setConfirm("disable")}>
                <BanIcon aria-hidden /> Disable…
              </DropdownMenuItem>
            )}
          </DropdownMenuContent>
        </DropdownMenu>
      </div>
      <ResetLinkDialog userId={u.id} who={who} open={resetOpen} onOpenChange={setResetOpen} />
      <QuotaDialog user={u} defaultQuota={defaultQuota} open={quotaOpen} onOpenChange={setQuotaOpen} />
      <ConfirmDialog
        open={confirm === "disable"}
        onOpenChange={(o) => !o && setConfirm(null)}
        title={`Disable ${who}?`}
        description="They are signed out at once, cannot sign in again and their API keys stop working until you enable the account."
        confirmLabel="Disable account"
        onConfirm={() => patch({ disabled: true }, `${who} is disabled`)}
      />
      <ConfirmDialog
        open={confirm === "enable"}
        onOpenChange={(o) => !o && setConfirm(null)}
        title={`Enable ${who}?`}
        description="They can sign in again and their API keys work again."
        confirmLabel="Enable account"
        destructive={false}
        onConfirm={() => patch({ disabled: false }, `${who} is enabled`)}
      />
      <ConfirmDialog
        open={confirm === "signout"}
        onOpenChange={(o) => !o && setConfirm(null)}
        title={`Sign ${who} out everywhere?`}
        description={
          isMe
            ? "This ends every session of yours, this browser's included: you will have to sign in again."
            : "Every browser session of theirs ends now. Their API keys are not affected."
        }
        confirmLabel="Sign out everywhere"
        onConfirm={() => signOut.mutate(u)}
      />
      <ConfirmDialog
        open={confirm === "demote-self"}
        onOpenChange={(o) => !o && setConfirm(null)}
        title="Stop being an admin?"
        description="You lose access to users, logs and settings at once, and the admin scopes of your API keys are dropped."
        confirmLabel="Make me a user"
        onConfirm={() => patch({ role: "user" }, "You are no longer an admin")}
      />
    </li>
  );
}
