import { FileQuestionIcon } from "lucide-react";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { Skeleton } from "@/components/ui/skeleton";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { formatBytes, formatDateTime, plural } from "@/lib/format";
import { useOrphans } from "@/features/files/api/list-orphans";

/** Files on disk the library does not know; listed for inspection, never deleted by Downlink. */
export function OrphansCard() {
  const q = useOrphans();
  const first = q.data?.pages[0];
  const items = q.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <Card>
      <CardHeader>
        <CardTitle>Orphaned files</CardTitle>
        <CardDescription>
          Files in the library folder with no entry in the library (left by a crash or copied in by hand). Downlink never deletes them itself.
          {first?.checked_at ? ` Last checked ${formatDateTime(first.checked_at)}.` : " Not checked yet."}
        </CardDescription>
      </CardHeader>
      <CardContent className="grid gap-3">
        {q.isPending ? (
          <Skeleton className="h-20" />
        ) : !first || first.total_count === 0 ? (
          <EmptyState icon={FileQuestionIcon} title="No orphaned files" />
        ) : (
          <>
            <p className="text-sm">
              {plural(first.total_count, "file")}, {formatBytes(first.total_bytes)} in all.
            </p>
            <Table label="Orphaned files">
              <TableHeader>
                <TableRow>
                  <TableHead>Path (in the library)</TableHead>
                  <TableHead className="text-right">Size</TableHead>
                  <TableHead>Modified</TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {items.map((o) => (
                  <TableRow key={o.path}>
                    <TableCell>
                      <code className="text-xs break-all">{o.path}</code>
                    </TableCell>
                    <TableCell className="text-right whitespace-nowrap tabular-nums">{formatBytes(o.size_bytes)}</TableCell>
                    <TableCell className="whitespace-nowrap">{formatDateTime(o.modified_at)}</TableCell>
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
    </Card>
  );
}
