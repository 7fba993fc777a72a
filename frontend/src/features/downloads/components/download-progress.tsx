import { Progress } from "@/components/ui/progress";
import type { Schemas } from "@/lib/api/client";
import { formatBytes, formatDuration, formatSpeed } from "@/lib/format";

/** A live progress bar with bytes, speed and time left. */
export function DownloadProgress({ download }: { download: Schemas["Download"] }) {
  const { progress: p, status } = download;
  const label = download.title ?? download.url;
  const pct = status === "completed" ? 100 : p.percent;
  return (
    <div className="grid gap-1">
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
        {status === "downloading" && p.speed_bps != null && <span>{formatSpeed(p.speed_bps)}</span>}
        {status === "downloading" && p.eta_seconds != null && <span>{formatDuration(p.eta_seconds)} left</span>}
        {status === "post_processing" && p.postprocessor && <span>{p.postprocessor}</span>}
      </p>
    </div>
  );
}
