import { CalendarClockIcon, PlayIcon } from "lucide-react";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { EmptyState } from "@/components/ui/empty-state";
import { Skeleton } from "@/components/ui/skeleton";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { formatBytes, formatDateTime, plural } from "@/lib/format";
import { useRetentionPreview } from "@/features/files/api/preview-retention";
import { useRunRetention } from "@/features/files/api/run-retention";

/** What the next retention run removes, and a way to run it now. */
export function RetentionCard() {
  const q = useRetentionPreview();
  const run = useRunRetention();
  const [confirm, setConfirm] = useState(false);
  const first = q.data?.pages[0];
  const items = q.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <Card>
      <CardHeader className="flex-row flex-wrap items-start justify-between gap-3">
        <div className="grid gap-1">
          <CardTitle>Retention</CardTitle>
          <CardDescription>
            {first?.retention_days
              ? `Unpinned files older than ${plural(first.retention_days, "day")} are removed${first.next_run_at ? `; next run ${formatDateTime(first.next_run_at)}` : ""}.`
              : "Retention is off: files stay until someone deletes them. Set a number of days under General."}
          </CardDescription>
        </div>
        <Button variant="outline" onClick={() => setConfirm(true)} disabled={run.isPending || !first?.retention_days}>
          <PlayIcon aria-hidden /> {run.isPending ? "Running…" : "Run now"}
        </Button>
      </CardHeader>
      <CardContent className="grid gap-3">
        {q.isPending ? (
          <Skeleton className="h-24" />
        ) : !first?.retention_days ? null : first.total_count === 0 ? (
          <EmptyState icon={CalendarClockIcon} title="The next run removes nothing">
            No unpinned file is older than {first.retention_days} days.
          </EmptyState>
        ) : (
          <>
            <p className="text-sm" data-testid="retention-summary">
              The next run removes <strong>{plural(first.total_count, "file")}</strong> ({formatBytes(first.total_bytes)}), created before{" "}
              {formatDateTime(first.cutoff)}:
            </p>
            <Table label="Files the next retention run removes">
              <TableHeader>
                <TableRow>
                  <TableHead>File</TableHead>
                  <TableHead className="text-right">Size</TableHead>
                  <TableHead>Created</TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {items.map((f) => (
                  <TableRow key={f.id}>
                    <TableCell className="break-all">{f.name}</TableCell>
                    <TableCell className="text-right whitespace-nowrap tabular-nums">{formatBytes(f.size_bytes)}</TableCell>
                    <TableCell className="whitespace-nowrap">{formatDateTime(f.created_at)}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
            {q.hasNextPage && (
              <div className="flex justify-center">
                <Button variant="outline" size="sm" onClick={() => q.fetchNextPage()} disabled={q.isFetchingNextPage}>
                  {q.isFetchingNextPage ? "Loading…" : "Show more"}
                </Button>
              </div>
            )}
          </>
        )}
      </CardContent>
      <ConfirmDialog
        open={confirm}
        onOpenChange={setConfirm}
        title="Run retention now?"
        description={
          first && first.total_count > 0
            ? `${plural(first.total_count, "file")} (${formatBytes(first.total_bytes)}) are deleted from the library and the disk. Pinned files are kept.`
            : "Files older than the retention period are deleted; right now there are none. Pinned files are kept."
        }
        confirmLabel="Run retention"
        onConfirm={() => run.mutate()}
      />
    </Card>
  );
}
