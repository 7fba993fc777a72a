import { Button } from "@/components/ui/button";
import { Skeleton } from "@/components/ui/skeleton";
import { useDownloads } from "@/features/downloads/api/list-downloads";
import { DownloadRow } from "@/features/downloads/components/download-row";

/** The items of a playlist/album parent, loaded when it is expanded. */
export function DownloadChildren({ parentId, onOpen, depth }: { parentId: string; onOpen: (id: string) => void; depth: number }) {
  const q = useDownloads({ parent_id: parentId, limit: 50 });
  if (q.isPending) return <Skeleton className="ml-10 h-10" />;
  const items = q.data?.pages.flatMap((p) => p.items) ?? [];
  if (items.length === 0) return <p className="pl-10 text-sm text-muted-foreground">No items yet; they appear once the list is read.</p>;
  return (
    <ul className="divide-y border-l" aria-label="Items">
      {items.map((c) => (
        <DownloadRow key={c.id} download={c} onOpen={onOpen} depth={depth} />
      ))}
      {q.hasNextPage && (
        <li className="py-2 pl-10">
          <Button variant="outline" size="sm" onClick={() => q.fetchNextPage()} disabled={q.isFetchingNextPage}>
            Load more items
          </Button>
        </li>
      )}
    </ul>
  );
}
