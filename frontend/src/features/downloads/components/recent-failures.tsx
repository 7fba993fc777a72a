import { CircleCheckIcon } from "lucide-react";
import { Link } from "wouter";
import { PlatformIcon } from "@/components/platform-icon";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { Skeleton } from "@/components/ui/skeleton";
import { formatRelative } from "@/lib/format";
import { type ListParams, useDownloads } from "@/features/downloads/api/list-downloads";
import { useOpenDownload } from "@/features/downloads/hooks/use-open-download";

const params: ListParams = { status: ["failed"], include_children: true, limit: 5 };

/** The latest failed downloads and why they failed. */
export function RecentFailures() {
  const q = useDownloads(params);
  const items = q.data?.pages[0]?.items ?? [];
  const { hrefFor } = useOpenDownload();
  return (
    <Card>
      <CardHeader>
        <CardTitle>Recent failures</CardTitle>
      </CardHeader>
      <CardContent>
        {q.isPending ? (
          <Skeleton className="h-24" />
        ) : items.length === 0 ? (
          <EmptyState icon={CircleCheckIcon} title="No failures" />
        ) : (
          <ul className="divide-y" aria-label="Recent failures">
            {items.map((d) => (
              <li key={d.id} className="grid gap-0.5 py-2">
                <div className="flex min-w-0 items-center gap-2">
                  <PlatformIcon platform={d.platform} />
                  <Link href={hrefFor(d.id)} className="min-w-0 flex-1 truncate rounded-sm text-sm font-medium hover:underline">
                    {d.title ?? d.url}
                  </Link>
                  <span className="shrink-0 text-xs text-muted-foreground">{formatRelative(d.finished_at ?? d.updated_at)}</span>
                </div>
                <p className="text-xs text-destructive">{d.error?.message ?? "Failed"}</p>
              </li>
            ))}
          </ul>
        )}
      </CardContent>
    </Card>
  );
}
