import { Badge, type BadgeVariant } from "@/components/ui/badge";
import type { Schemas } from "@/lib/api/client";

type Status = Schemas["WebhookDeliveryStatus"];

const labels: Record<Status, string> = { pending: "Pending", retrying: "Retrying", succeeded: "Succeeded", failed: "Failed" };
const variants: Record<Status, BadgeVariant> = { pending: "secondary", retrying: "warning", succeeded: "success", failed: "destructive" };

export function DeliveryStatus({ status }: { status: Status }) {
  return (
    <Badge variant={variants[status]} data-status={status}>
      {labels[status]}
    </Badge>
  );
}
