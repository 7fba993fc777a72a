import { FolderOpenIcon, XIcon } from "lucide-react";
import { useDeferredValue, useMemo, useState } from "react";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { Skeleton } from "@/components/ui/skeleton";
import type { Schemas } from "@/lib/api/client";
import { type ListParams, useFiles } from "@/features/files/api/list-files";
import { type FileFilters, FilesToolbar } from "@/features/files/components/files-toolbar";
import { FilesGrid, FilesTable } from "@/features/files/components/files-views";
import { PlayerDialog } from "@/components/player-dialog";

function toParams(f: FileFilters, downloadId: string | null): ListParams {
  const p: ListParams = { sort: f.sort, limit: 48 };
  if (f.q.trim()) p.q = f.q.trim();
  if (f.platform !== "all") p.platform = f.platform;
  if (f.type !== "all") p.kind = f.type;
  if (downloadId) p.download_id = downloadId;
  return p;
}

/** The library: search, filters, grid/list, player. `downloadId` narrows it to one download's files. */
export function FilesBrowser({
  filters,
  onFiltersChange: setFilters,
  downloadId,
  onClearDownload,
}: {
  filters: FileFilters;
  onFiltersChange: (f: FileFilters) => void;
  downloadId: string | null;
  onClearDownload: () => void;
}) {
  const [playing, setPlaying] = useState<Schemas["LibraryFile"] | null>(null);
  const deferred = useDeferredValue(filters);
  const params = useMemo(() => toParams(deferred, downloadId), [deferred, downloadId]);
  const q = useFiles(params);
  const files = q.data?.pages.flatMap((p) => p.items) ?? [];
  const View = filters.view === "grid" ? FilesGrid : FilesTable;
  return (
    <div className="grid gap-4">
      <FilesToolbar value={filters} onChange={setFilters} />
      {downloadId && (
        <p className="flex items-center gap-2 text-sm">
          Showing the files of one download.
          <Button variant="ghost" size="sm" onClick={onClearDownload}>
            <XIcon aria-hidden /> Show all files
          </Button>
        </p>
      )}
      {q.isPending ? (
        <div className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-3 xl:grid-cols-4" aria-busy="true" aria-label="Loading files">
          {[0, 1, 2, 3].map((i) => (
            <Skeleton key={i} className="aspect-[4/3]" />
          ))}
        </div>
      ) : files.length === 0 ? (
        <EmptyState icon={FolderOpenIcon} title="No files here">
          Finished downloads put their files in this library.
        </EmptyState>
      ) : (
        <View files={files} onPlay={setPlaying} />
      )}
      {q.hasNextPage && (
        <div className="flex justify-center">
          <Button variant="outline" onClick={() => q.fetchNextPage()} disabled={q.isFetchingNextPage}>
            {q.isFetchingNextPage ? "Loading…" : "Load more"}
          </Button>
        </div>
      )}
      <PlayerDialog file={playing} onClose={() => setPlaying(null)} />
    </div>
  );
}
