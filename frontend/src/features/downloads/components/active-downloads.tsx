import { ActivityIcon } from "lucide-react";
import { Link } from "wouter";
import { PlatformIcon } from "@/components/platform-icon";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { Skeleton } from "@/components/ui/skeleton";
import { useDownloads } from "@/features/downloads/api/list-downloads";
import { DownloadProgress } from "@/features/downloads/components/download-progress";
import { activeStatuses, StatusBadge } from "@/features/downloads/components/status-badge";

const params = { status: [activeStatuses.join(",")], limit: 10 };

/** The dashboard's live view of what is running and waiting. */
export function ActiveDownloads() {
  const q = useDownloads(params);
  const items = q.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <Card>
      <CardHeader className="flex-row items-center justify-between">
        <CardTitle>Active downloads</CardTitle>
        <Link href="/downloads" className="text-sm text-primary hover:underline">
          All downloads
        </Link>
      </CardHeader>
      <CardContent>
        {q.isPending ? (
          <div className="grid gap-3">
            <Skeleton className="h-12" />
            <Skeleton className="h-12" />
          </div>
        ) : items.length === 0 ? (
          <EmptyState icon={ActivityIcon} title="Nothing running">
            <Link href="/downloads" className="text-primary hover:underline">
              Start a download
            </Link>
          </EmptyState>
        ) : (
          <ul className="grid gap-4" aria-label="Active downloads" data-testid="active-downloads">
            {items.map((d) => (
              <li key={d.id} className="grid gap-1.5">
                <div className="flex min-w-0 items-center gap-2">
                  <PlatformIcon platform={d.platform} />
                  <span className="min-w-0 flex-1 truncate text-sm font-medium">{d.title ?? d.url}</span>
                  <StatusBadge status={d.status} />
                </div>
                {d.status !== "queued" && <DownloadProgress download={d} />}
              </li>
            ))}
          </ul>
        )}
      </CardContent>
    </Card>
  );
}
