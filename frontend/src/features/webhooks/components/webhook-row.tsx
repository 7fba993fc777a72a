import { ChevronRightIcon, MoreHorizontalIcon, PencilIcon, SendIcon, Trash2Icon } from "lucide-react";
import { useId, useState } from "react";
import { toast } from "sonner";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { DropdownMenu, DropdownMenuContent, DropdownMenuItem, DropdownMenuSeparator, DropdownMenuTrigger } from "@/components/ui/dropdown-menu";
import { Label } from "@/components/ui/label";
import { Switch } from "@/components/ui/switch";
import type { Schemas } from "@/lib/api/client";
import { notifyError } from "@/lib/api/errors";
import { formatRelative } from "@/lib/format";
import { cn } from "@/lib/utils";
import { useDeleteWebhook } from "@/features/webhooks/api/delete-webhook";
import { useTestWebhook } from "@/features/webhooks/api/test-webhook";
import { useUpdateWebhook } from "@/features/webhooks/api/update-webhook";
import { DeliveryStatus } from "@/features/webhooks/components/delivery-status";
import { WebhookDeliveries } from "@/features/webhooks/components/webhook-deliveries";
import { type UserOption, WebhookFormDialog } from "@/features/webhooks/components/webhook-form-dialog";
import { usePlatforms } from "@/lib/platforms";

/** One webhook: where it goes, what it sends, on/off, its last delivery, and its delivery log on demand. */
export function WebhookRow({ webhook: w, users }: { webhook: Schemas["Webhook"]; users: UserOption[] }) {
  const [showDeliveries, setShowDeliveries] = useState(false);
  const [editing, setEditing] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const update = useUpdateWebhook();
  const test = useTestWebhook();
  const del = useDeleteWebhook();
  const panelId = useId();
  const platforms = usePlatforms();
  const name = w.description || w.url;
  const userName = w.filter.user_id ? (users.find((u) => u.id === w.filter.user_id)?.label ?? w.filter.user_id) : null;
  const filter = [userName ? `by ${userName}` : "by everyone", w.filter.platform ? `from ${platforms.find((p) => p.name === w.filter.platform)?.label ?? w.filter.platform}` : "from every platform"].join(", ");

  return (
    <li className="grid gap-3 py-3" data-testid="webhook-row" data-id={w.id}>
      <div className="flex flex-wrap items-start gap-3">
        <div className="grid min-w-0 flex-1 basis-64 gap-1">
          <p className="flex flex-wrap items-center gap-2">
            <code className="text-sm font-medium break-all">{w.url}</code>
            {!w.enabled && <Badge variant="outline">Disabled</Badge>}
          </p>
          {w.description && <p className="text-sm text-muted-foreground">{w.description}</p>}
          <ul className="flex flex-wrap gap-1" aria-label="Events">
            {w.events.map((e) => (
              <li key={e}>
                <Badge variant="secondary">{e}</Badge>
              </li>
            ))}
          </ul>
          <p className="flex flex-wrap items-center gap-x-2 gap-y-1 text-xs text-muted-foreground">
            <span>Downloads {filter}</span>
            <span aria-hidden>·</span>
            {w.last_delivery ? (
              <span className="flex items-center gap-1.5">
                last delivery <DeliveryStatus status={w.last_delivery.status} /> {formatRelative(w.last_delivery.created_at)}
              </span>
            ) : (
              <span>no deliveries yet</span>
            )}
          </p>
        </div>
        <div className="ml-auto flex flex-wrap items-center gap-2">
          <div className="flex items-center gap-2">
            <Label htmlFor={`${panelId}-enabled`} className="text-xs font-normal text-muted-foreground">
              Enabled
            </Label>
            <Switch
              id={`${panelId}-enabled`}
              checked={w.enabled}
              disabled={update.isPending}
              aria-label={`Enabled: ${name}`}
              onCheckedChange={(on) =>
                update.mutate(
                  { id: w.id, body: { enabled: on } },
                  { onSuccess: () => toast.success(on ? "Webhook enabled" : "Webhook disabled"), onError: notifyError },
                )
              }
            />
          </div>
          <Button variant="outline" size="sm" onClick={() => test.mutate(w, { onSuccess: () => setShowDeliveries(true) })} disabled={test.isPending}>
            <SendIcon aria-hidden /> Send test
          </Button>
          <Button variant="ghost" size="sm" aria-expanded={showDeliveries} aria-controls={panelId} onClick={() => setShowDeliveries((s) => !s)}>
            <ChevronRightIcon className={cn("transition-transform", showDeliveries && "rotate-90")} aria-hidden /> Deliveries
          </Button>
          <DropdownMenu>
            <DropdownMenuTrigger asChild>
              <Button variant="ghost" size="icon-sm" aria-label={`Actions for the webhook to ${w.url}`}>
                <MoreHorizontalIcon aria-hidden />
              </Button>
            </DropdownMenuTrigger>
            <DropdownMenuContent align="end">
              <DropdownMenuItem onSelect={() => setEditing(true)}>
                <PencilIcon aria-hidden /> Edit…
              </DropdownMenuItem>
              <DropdownMenuSeparator />
              <DropdownMenuItem destructive onSelect={() => setDeleting(true)}>
                <Trash2Icon aria-hidden /> Delete…
              </DropdownMenuItem>
            </DropdownMenuContent>
          </DropdownMenu>
        </div>
      </div>
      <div id={panelId} hidden={!showDeliveries}>
        {showDeliveries && <WebhookDeliveries webhookId={w.id} label={name} />}
      </div>
      <WebhookFormDialog
        webhook={w}
        users={users}
        open={editing}
        onOpenChange={setEditing}
        onSubmit={async (body) => {
          await update.mutateAsync({ id: w.id, body });
          toast.success("Webhook saved");
          setEditing(false);
        }}
      />
      <ConfirmDialog
        open={deleting}
        onOpenChange={setDeleting}
        title="Delete this webhook?"
        description={`Nothing more is sent to ${w.url}; its delivery log and pending retries are deleted too.`}
        confirmLabel="Delete webhook"
        onConfirm={() => del.mutate(w)}
      />
    </li>
  );
}
