import { HardDriveIcon } from "lucide-react";
import { Card, CardContent } from "@/components/ui/card";
import { Progress } from "@/components/ui/progress";
import { Skeleton } from "@/components/ui/skeleton";
import { StatCard } from "@/components/ui/stat-card";
import { formatBytes, plural } from "@/lib/format";
import { useStorage } from "@/features/files/api/get-storage";

/** How much of the quota (or the disk) your files use. */
export function StorageMeter() {
  const { data, isPending } = useStorage();
  if (isPending) return <Skeleton className="h-20" />;
  if (!data) return null;
  const limit = data.quota_bytes ?? (data.free_disk_bytes != null ? data.used_bytes + data.free_disk_bytes : null);
  const pct = limit ? (data.used_bytes / limit) * 100 : 0;
  return (
    <Card>
      <CardContent className="grid gap-2 pt-4 sm:pt-4">
        <div className="flex flex-wrap items-center justify-between gap-2 text-sm">
          <span className="flex items-center gap-2 font-medium">
            <HardDriveIcon className="size-4" aria-hidden /> Storage
          </span>
          <span className="text-muted-foreground tabular-nums" data-testid="storage-used">
            {formatBytes(data.used_bytes)} {data.quota_bytes != null ? `of ${formatBytes(data.quota_bytes)} quota` : "used"} · {plural(data.files_count, "file")}
          </span>
        </div>
        {limit != null && (
          <Progress
            value={pct}
            aria-label="Storage used"
            aria-valuetext={`${pct.toFixed(0)}%`}
            indicatorClassName={data.over_quota ? "bg-destructive" : pct > 90 ? "bg-warning" : undefined}
          />
        )}
        <p className="text-xs text-muted-foreground">
          {data.over_quota && <strong className="text-destructive">Over quota: new downloads are refused until you free space. </strong>}
          {data.free_disk_bytes != null && `${formatBytes(data.free_disk_bytes)} free on disk. `}
          {data.retention.days ? `Unpinned files are removed after ${data.retention.days} days.` : "No retention policy: files stay until you delete them."}
        </p>
      </CardContent>
    </Card>
  );
}

/** The dashboard's storage card. */
export function StorageStatCard() {
  const { data, isPending } = useStorage();
  return (
    <StatCard
      label="Storage used"
      icon={HardDriveIcon}
      loading={isPending}
      value={data ? formatBytes(data.used_bytes) : "—"}
      hint={data ? (data.quota_bytes != null ? `of ${formatBytes(data.quota_bytes)} quota` : plural(data.files_count, "file")) : "unavailable"}
    />
  );
}
