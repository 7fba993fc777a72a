import { Skeleton } from "@/components/ui/skeleton";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { formatDateTime, formatRelative } from "@/lib/format";
import { useWebhookDeliveries } from "@/features/webhooks/api/list-webhook-deliveries";
import { DeliveryStatus } from "@/features/webhooks/components/delivery-status";

/** A webhook's latest deliveries; refreshes while one is still pending or retrying. */
export function WebhookDeliveries({ webhookId, label }: { webhookId: string; label: string }) {
  const { data, isPending } = useWebhookDeliveries(webhookId, true);
  if (isPending) return <Skeleton className="h-24" />;
  const items = data?.items ?? [];
  if (items.length === 0) {
    return <p className="py-2 text-sm text-muted-foreground">No deliveries yet. “Send test” queues one.</p>;
  }
  return (
    <Table label={`Deliveries of ${label}`} data-testid="webhook-deliveries">
      <TableHeader>
        <TableRow>
          <TableHead>Status</TableHead>
          <TableHead>Event</TableHead>
          <TableHead className="text-right">Attempts</TableHead>
          <TableHead className="text-right">Response</TableHead>
          <TableHead className="text-right">Took</TableHead>
          <TableHead>Error</TableHead>
          <TableHead>Next attempt</TableHead>
          <TableHead>Queued</TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {items.map((d) => (
          <TableRow key={d.id} data-testid="delivery-row" data-status={d.status}>
            <TableCell>
              <DeliveryStatus status={d.status} />
            </TableCell>
            <TableCell>
              <code className="text-xs">{d.event}</code>
            </TableCell>
            <TableCell className="text-right tabular-nums">{d.attempts}</TableCell>
            <TableCell className="text-right tabular-nums">{d.response_status ?? "—"}</TableCell>
            <TableCell className="text-right whitespace-nowrap tabular-nums">{d.duration_ms != null ? `${d.duration_ms} ms` : "—"}</TableCell>
            <TableCell className="max-w-64 min-w-40">
              {d.error ? (
                <span className="line-clamp-2 text-xs text-destructive" title={d.error}>
                  {d.error}
                </span>
              ) : (
                "—"
              )}
            </TableCell>
            <TableCell className="whitespace-nowrap">
              {d.next_attempt_at && (d.status === "pending" || d.status === "retrying") ? (
                <time dateTime={d.next_attempt_at} title={formatDateTime(d.next_attempt_at)}>
                  {formatRelative(d.next_attempt_at)}
                </time>
              ) : (
                "—"
              )}
            </TableCell>
            <TableCell className="whitespace-nowrap">
              <time dateTime={d.created_at} title={formatDateTime(d.created_at)}>
                {formatRelative(d.created_at)}
              </time>
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
