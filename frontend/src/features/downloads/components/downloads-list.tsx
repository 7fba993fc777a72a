import { InboxIcon } from "lucide-react";
import { useDeferredValue, useMemo } from "react";
import { Button } from "@/components/ui/button";
import { Card, CardContent } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { Skeleton } from "@/components/ui/skeleton";
import { type ListParams, useDownloads } from "@/features/downloads/api/list-downloads";
import { DownloadRow } from "@/features/downloads/components/download-row";
import type { DownloadFilters } from "@/features/downloads/utils/filters";
import { activeStatuses } from "@/features/downloads/components/status-badge";

export function toListParams(f: DownloadFilters): ListParams {
  const p: ListParams = { sort: f.sort, limit: 25 };
  if (f.status === "active") p.status = [...activeStatuses];
  else if (f.status !== "all") p.status = [f.status];
  if (f.platform !== "all") p.platform = f.platform;
  if (f.q.trim()) p.q = f.q.trim();
  return p;
}

/** The live list of downloads with "Load more" paging. */
export function DownloadsList({ filters, onOpen }: { filters: DownloadFilters; onOpen: (id: string) => void }) {
  const deferred = useDeferredValue(filters);
  const params = useMemo(() => toListParams(deferred), [deferred]);
  const q = useDownloads(params);
  const items = q.data?.pages.flatMap((p) => p.items) ?? [];
  const filtered = filters.status !== "all" || filters.platform !== "all" || filters.q.trim() !== "";
  return (
    <Card>
      <CardContent className="py-1 sm:py-1">
        {q.isPending ? (
          <div className="grid gap-3 py-3" aria-busy="true" aria-label="Loading downloads">
            {[0, 1, 2, 3].map((i) => (
              <Skeleton key={i} className="h-14" />
            ))}
          </div>
        ) : items.length === 0 ? (
          <EmptyState icon={InboxIcon} title={filtered ? "No downloads match" : "No downloads yet"} className="my-4">
            {filtered ? "Try other filters." : "Paste a link above to start your first download."}
          </EmptyState>
        ) : (
          <ul className="divide-y" aria-label="Downloads" data-testid="downloads-list">
            {items.map((d) => (
              <DownloadRow key={d.id} download={d} onOpen={onOpen} />
            ))}
          </ul>
        )}
        {q.hasNextPage && (
          <div className="flex justify-center border-t py-3">
            <Button variant="outline" onClick={() => q.fetchNextPage()} disabled={q.isFetchingNextPage}>
              {q.isFetchingNextPage ? "Loading…" : "Load more"}
            </Button>
          </div>
        )}
      </CardContent>
    </Card>
  );
}
