import { HardDriveIcon } from "lucide-react";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { Progress } from "@/components/ui/progress";
import { Skeleton } from "@/components/ui/skeleton";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { formatBytes, formatDateTime, formatPercent, plural } from "@/lib/format";
import { useStorage } from "@/features/files/api/get-storage";

/** Admins: the whole library, the disk, and every user's usage against their quota. */
export function StorageUsageCard() {
  const { data, isPending } = useStorage();
  return (
    <Card>
      <CardHeader>
        <CardTitle>Storage</CardTitle>
        <CardDescription>The library, the disk it lives on, and what each user takes. Quotas are set per user under Users.</CardDescription>
      </CardHeader>
      <CardContent className="grid gap-4">
        {isPending ? (
          <Skeleton className="h-40" />
        ) : !data ? (
          <EmptyState icon={HardDriveIcon} title="Storage figures are not available" />
        ) : (
          <>
            <dl className="grid grid-cols-2 gap-3 text-sm sm:grid-cols-4">
              <div>
                <dt className="text-muted-foreground">Library</dt>
                <dd className="text-lg font-semibold tabular-nums" data-testid="library-size">
                  {formatBytes(data.total_used_bytes ?? data.used_bytes)}
                </dd>
              </div>
              <div>
                <dt className="text-muted-foreground">Free on disk</dt>
                <dd className="text-lg font-semibold tabular-nums">{data.free_disk_bytes != null ? formatBytes(data.free_disk_bytes) : "object storage"}</dd>
              </div>
              <div>
                <dt className="text-muted-foreground">Kept free</dt>
                <dd className="text-lg font-semibold tabular-nums">{formatBytes(data.min_free_disk_bytes)}</dd>
              </div>
              <div>
                <dt className="text-muted-foreground">Retention</dt>
                <dd className="text-lg font-semibold">{data.retention.days ? plural(data.retention.days, "day") : "Off"}</dd>
              </div>
            </dl>
            {data.total_disk_bytes != null && data.free_disk_bytes != null && (
              <div className="grid gap-1">
                <Progress
                  value={((data.total_disk_bytes - data.free_disk_bytes) / data.total_disk_bytes) * 100}
                  aria-label="Disk used"
                  aria-valuetext={formatPercent((data.total_disk_bytes - data.free_disk_bytes) / data.total_disk_bytes)}
                />
                <p className="text-xs text-muted-foreground">
                  {formatBytes(data.total_disk_bytes - data.free_disk_bytes)} of {formatBytes(data.total_disk_bytes)} used on the disk
                  {data.retention.last_run_at && ` · retention last ran ${formatDateTime(data.retention.last_run_at)}`}
                </p>
              </div>
            )}
            {(data.users ?? []).length > 0 && (
              <Table label="Storage by user">
                <TableHeader>
                  <TableRow>
                    <TableHead>User</TableHead>
                    <TableHead className="text-right">Files</TableHead>
                    <TableHead className="text-right">Used</TableHead>
                    <TableHead className="text-right">Quota</TableHead>
                    <TableHead className="w-32">Of quota</TableHead>
                  </TableRow>
                </TableHeader>
                <TableBody>
                  {data.users!.map((u) => {
                    const ratio = u.quota_bytes ? u.used_bytes / u.quota_bytes : null;
                    return (
                      <TableRow key={u.user_id}>
                        <TableCell>
                          <span className="block font-medium">{u.name || u.email}</span>
                          {u.name && <span className="block text-xs text-muted-foreground">{u.email}</span>}
                        </TableCell>
                        <TableCell className="text-right tabular-nums">{u.files}</TableCell>
                        <TableCell className="text-right whitespace-nowrap tabular-nums">{formatBytes(u.used_bytes)}</TableCell>
                        <TableCell className="text-right whitespace-nowrap tabular-nums">{u.quota_bytes != null ? formatBytes(u.quota_bytes) : "none"}</TableCell>
                        <TableCell>
                          {ratio != null ? (
                            <Progress
                              value={ratio * 100}
                              aria-label={`${u.name || u.email}: share of quota used`}
                              aria-valuetext={formatPercent(ratio)}
                              indicatorClassName={ratio >= 1 ? "bg-destructive" : ratio > 0.9 ? "bg-warning" : undefined}
                            />
                          ) : (
                            <span className="text-xs text-muted-foreground">no quota</span>
                          )}
                        </TableCell>
                      </TableRow>
                    );
                  })}
                </TableBody>
              </Table>
            )}
          </>
        )}
      </CardContent>
    </Card>
  );
}
