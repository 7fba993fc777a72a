import { Progress } from "@/components/ui/progress";
import type { Schemas } from "@/lib/api/client";
import { formatBytes, formatDuration, formatSpeed } from "@/lib/format";
import { useStale } from "@/lib/sse/stream-status";
import { cn } from "@/lib/utils";
import { postprocessorLabel } from "@/features/downloads/utils/postprocessor-label";

/**
 * A live progress bar with bytes, speed and time left. While the server does
 * not answer, the last numbers are dimmed and marked as not current.
 */
export function DownloadProgress({ download }: { download: Schemas["Download"] }) {
  const stale = useStale();
  const { progress: p, status } = download;
  const label = download.title ?? download.url;
  const pct = status === "completed" ? 100 : p.percent;
  return (
    <div className={cn("grid gap-1", stale && "opacity-60")} data-stale={stale || undefined}>
      <Progress value={pct} aria-label={`Progress of ${label}`} aria-valuetext={`${pct.toFixed(0)}%`} data-testid="download-progress" />
      <p className="flex flex-wrap gap-x-3 text-xs text-muted-foreground tabular-nums">
        <span data-testid="download-percent">{pct.toFixed(pct >= 100 || pct === 0 ? 0 : 1)}%</span>
        {p.total_bytes != null ? (
          <span>
            {formatBytes(p.downloaded_bytes)} of {formatBytes(p.total_bytes)}
          </span>
        ) : p.downloaded_bytes > 0 ? (
          <span>{formatBytes(p.downloaded_bytes)}</span>
        ) : null}
        {stale ? (
          <span className="text-warning" role="status">
            Not current: the server is not answering
          </span>
        ) : (
          <>
            {status === "downloading" && p.speed_bps != null && <span>{formatSpeed(p.speed_bps)}</span>}
            {status === "downloading" && p.eta_seconds != null && <span>{formatDuration(p.eta_seconds)} left</span>}
            {status === "post_processing" && <span>{postprocessorLabel(p.postprocessor)}</span>}
          </>
        )}
      </p>
    </div>
  );
}
