import { Badge, type BadgeVariant } from "@/components/ui/badge";
import type { Schemas } from "@/lib/api/client";

type Status = Schemas["APIKey"]["status"];

const labels: Record<Status, string> = { active: "Active", expired: "Expired", revoked: "Revoked" };
const variants: Record<Status, BadgeVariant> = { active: "success", expired: "warning", revoked: "destructive" };

export function ApiKeyStatus({ status }: { status: Status }) {
  return (
    <Badge variant={variants[status]} data-status={status}>
      {labels[status]}
    </Badge>
  );
}
