import { Badge, type BadgeVariant } from "@/components/ui/badge";
import type { Schemas } from "@/lib/api/client";

type Status = Schemas["DownloadStatus"];

export const statusLabels: Record<Status, string> = {
  queued: "Queued",
  fetching_info: "Fetching info",
  downloading: "Downloading",
  post_processing: "Processing",
  completed: "Completed",
  failed: "Failed",
  canceled: "Canceled",
  needs_match: "Needs match",
};

const variants: Record<Status, BadgeVariant> = {
  queued: "secondary",
  fetching_info: "default",
  downloading: "default",
  post_processing: "default",
  completed: "success",
  failed: "destructive",
  canceled: "outline",
  needs_match: "warning",
};

export const activeStatuses: Status[] = ["queued", "fetching_info", "downloading", "post_processing"];
export const isActive = (s: Status) => activeStatuses.includes(s);

export function StatusBadge({ status }: { status: Status }) {
  return (
    <Badge variant={variants[status]} data-status={status}>
      {statusLabels[status]}
    </Badge>
  );
}
