import { PencilIcon, RefreshCwIcon, RssIcon, Trash2Icon } from "lucide-react";
import { useState } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { EmptyState } from "@/components/ui/empty-state";
import type { Schemas } from "@/lib/api/client";
import { formatDateTime, formatRelative, plural } from "@/lib/format";
import { useCheckSubscription } from "@/features/subscriptions/api/check-subscription";
import { useDeleteSubscription } from "@/features/subscriptions/api/delete-subscription";
import { useSubscriptions } from "@/features/subscriptions/api/list-subscriptions";
import { useUpdateSubscription } from "@/features/subscriptions/api/update-subscription";
import { SubscriptionForm } from "@/features/subscriptions/components/subscription-form";

type Subscription = Schemas["Subscription"];

const statusLabel: Record<Subscription["status"], string> = {
  pending: "Waiting for its first check",
  ok: "OK",
  failing: "Failing",
  disabled: "Disabled",
};

function StatusBadge({ s }: { s: Subscription }) {
  const variant = s.status === "failing" ? "destructive" : s.status === "ok" ? "secondary" : "outline";
  return <Badge variant={variant}>{statusLabel[s.status]}</Badge>;
}

/** Every subscription with its last and next check, new items and errors. */
export function SubscriptionsList() {
  const { data, isLoading } = useSubscriptions();
  const check = useCheckSubscription();
  const del = useDeleteSubscription();
  const update = useUpdateSubscription();
  const [editing, setEditing] = useState<Subscription | null>(null);
  const [deleting, setDeleting] = useState<Subscription | null>(null);
  if (isLoading) return <p className="text-sm text-muted-foreground">Loading…</p>;
  if (!data || data.length === 0)
    return (
      <EmptyState icon={RssIcon} title="No subscriptions yet">
        Follow a channel, playlist or podcast feed above: its new items are downloaded as they appear.
      </EmptyState>
    );
  return (
    <>
      <ul className="grid gap-3" aria-label="Subscriptions">
        {data.map((s) => (
          <li key={s.id} className="grid gap-2 rounded-lg border p-3 sm:p-4">
            <div className="flex flex-wrap items-start justify-between gap-2">
              <div className="min-w-0">
                <p className="truncate font-medium">{s.name}</p>
                <p className="truncate text-xs text-muted-foreground">{s.url}</p>
              </div>
              <StatusBadge s={s} />
            </div>
            <dl className="grid grid-cols-2 gap-x-4 gap-y-1 text-sm sm:grid-cols-4">
              <div>
                <dt className="text-xs text-muted-foreground">Last check</dt>
                <dd title={formatDateTime(s.last_check_at)}>{s.last_check_at ? formatRelative(s.last_check_at) : "Not yet"}</dd>
              </div>
              <div>
                <dt className="text-xs text-muted-foreground">Next check</dt>
                <dd title={formatDateTime(s.next_check_at)}>{s.next_check_at ? formatRelative(s.next_check_at) : "—"}</dd>
              </div>
              <div>
                <dt className="text-xs text-muted-foreground">New at last check</dt>
                <dd>{plural(s.last_new_items, "item")}</dd>
              </div>
              <div>
                <dt className="text-xs text-muted-foreground">Downloaded so far</dt>
                <dd>{plural(s.items_queued, "item")}</dd>
              </div>
            </dl>
            {s.last_error && (
              <p role="status" className="rounded-md border border-destructive/40 bg-destructive/10 p-2 text-sm text-destructive">
                {s.last_error}
                {s.consecutive_failures > 1 && ` (${s.consecutive_failures} checks in a row)`}
              </p>
            )}
            <div className="flex flex-wrap gap-2">
              <Button size="sm" variant="outline" onClick={() => check.mutate(s.id)} disabled={check.isPending && check.variables === s.id}>
                <RefreshCwIcon aria-hidden /> Check now
              </Button>
              <Button size="sm" variant="ghost" onClick={() => setEditing(s)} aria-label={`Edit ${s.name}`}>
                <PencilIcon aria-hidden /> Edit
              </Button>
              <Button size="sm" variant="ghost" onClick={() => setDeleting(s)} aria-label={`Delete ${s.name}`}>
                <Trash2Icon aria-hidden /> Delete
              </Button>
            </div>
          </li>
        ))}
      </ul>
      <Dialog open={editing !== null} onOpenChange={(o) => !o && setEditing(null)}>
        <DialogContent className="max-h-[90vh] max-w-2xl overflow-y-auto">
          <DialogHeader>
            <DialogTitle>Edit subscription</DialogTitle>
            <DialogDescription>{editing?.url}</DialogDescription>
          </DialogHeader>
          {editing && (
            <SubscriptionForm
              subscription={editing}
              onCancel={() => setEditing(null)}
              onSubmit={async (body) => {
                await update.mutateAsync({ id: editing.id, body });
                setEditing(null);
              }}
            />
          )}
        </DialogContent>
      </Dialog>
      <ConfirmDialog
        open={deleting !== null}
        onOpenChange={(o) => !o && setDeleting(null)}
        title={`Delete “${deleting?.name ?? ""}”?`}
        description="Downlink stops following it. The downloads it queued stay in your library."
        confirmLabel="Delete"
        onConfirm={() => deleting && del.mutate(deleting.id)}
      />
    </>
  );
}
