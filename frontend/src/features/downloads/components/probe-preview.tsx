import { AlertTriangleIcon, ListVideoIcon } from "lucide-react";
import { PlatformIcon } from "@/components/platform-icon";
import { Badge } from "@/components/ui/badge";
import type { Schemas } from "@/lib/api/client";
import { formatBytes, formatDuration, plural } from "@/lib/format";

/** "1920x1080", "audio only", "video only", or nothing when yt-dlp did not say (no "?"). */
export function formatLabel(f: Schemas["ProbeFormat"]): string | null {
  if (f.resolution) return f.resolution;
  if (f.vcodec == null && f.acodec) return "audio only";
  if (f.acodec == null && f.vcodec) return "video only";
  return null;
}

/** What the probe found: title, thumbnail, duration, playlist size and formats. */
export function ProbePreview({ probe }: { probe: Schemas["ProbeResult"] }) {
  const thumb = probe.thumbnail_url ?? probe.spotify?.image_url ?? null;
  const formats = probe.formats.slice(0, 12);
  return (
    <section aria-label="Preview" className="grid gap-3 rounded-lg border bg-muted/30 p-3 sm:grid-cols-[10rem_1fr]" data-testid="probe-preview">
      {thumb ? (
        <img src={thumb} alt="" className="aspect-video w-full rounded-md object-cover sm:w-40" />
      ) : (
        <div className="flex aspect-video w-full items-center justify-center rounded-md bg-muted sm:w-40">
          <PlatformIcon platform={probe.platform} className="size-8" decorative />
        </div>
      )}
      <div className="grid min-w-0 content-start gap-2">
        <p className="font-medium break-words">{probe.title ?? probe.spotify?.name ?? probe.url}</p>
        <div className="flex flex-wrap items-center gap-2 text-xs text-muted-foreground">
          <PlatformIcon platform={probe.platform} />
          <Badge variant="secondary">{probe.kind}</Badge>
          {probe.uploader && <span>{probe.uploader}</span>}
          {probe.spotify?.artists.length ? <span>{probe.spotify.artists.join(", ")}</span> : null}
          {probe.duration_seconds != null && <span>{formatDuration(probe.duration_seconds)}</span>}
          {probe.playlist && (
            <span className="inline-flex items-center gap-1">
              <ListVideoIcon className="size-3.5" aria-hidden />
              {probe.playlist.count != null ? plural(probe.playlist.count, "item") : "Items"}{probe.playlist.title ? ` · ${probe.playlist.title}` : ""}
            </span>
          )}
        </div>
        {probe.warnings.map((w) => (
          <p key={w} className="flex items-start gap-1.5 text-xs text-warning">
            <AlertTriangleIcon className="mt-0.5 size-3.5 shrink-0" aria-hidden /> {w}
          </p>
        ))}
        {formats.length > 0 && (
          <details className="text-xs">
            <summary className="cursor-pointer rounded-sm font-medium">{plural(probe.formats.length, "format")} available</summary>
            <ul className="mt-2 grid gap-1 sm:grid-cols-2">
              {formats.map((f) => (
                <li key={f.format_id} className="flex justify-between gap-2 rounded bg-background px-2 py-1 tabular-nums">
                  <span>
                    {[formatLabel(f), f.ext].filter(Boolean).join(" · ")}
                    {f.note ? ` · ${f.note}` : ""}
                  </span>
                  <span className="text-muted-foreground">{formatBytes(f.filesize_bytes)}</span>
                </li>
              ))}
            </ul>
          </details>
        )}
      </div>
    </section>
  );
}
