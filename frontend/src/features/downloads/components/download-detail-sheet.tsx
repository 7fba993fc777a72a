import { DownloadIcon, ExternalLinkIcon, FolderOpenIcon } from "lucide-react";
import type * as React from "react";
import { Link } from "wouter";
import { PlatformIcon } from "@/components/platform-icon";
import { type Platform, usePlatformLabel } from "@/lib/platforms";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Sheet, SheetContent, SheetDescription, SheetHeader, SheetTitle } from "@/components/ui/sheet";
import { Skeleton } from "@/components/ui/skeleton";
import { formatBytes, formatDateTime, formatDuration } from "@/lib/format";
import { useDownload } from "@/features/downloads/api/get-download";
import { useDownloadLogs } from "@/features/downloads/api/list-download-logs";
import { DownloadProgress } from "@/features/downloads/components/download-progress";
import { DownloadWarnings } from "@/features/downloads/components/download-warnings";
import { errorTitle, pointsAtSystem } from "@/features/downloads/components/error-reason";
import { MatchCandidates } from "@/features/downloads/components/match-candidates";
import { isActive, StatusBadge } from "@/features/downloads/components/status-badge";
import { rowTitle } from "@/features/downloads/utils/row-labels";

function Field({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="grid grid-cols-[8rem_1fr] gap-2 py-1 text-sm">
      <dt className="text-muted-foreground">{label}</dt>
      <dd className="min-w-0 break-words">{children}</dd>
    </div>
  );
}

const levelColor: Record<string, string> = { error: "text-destructive", warn: "text-warning", info: "", debug: "text-muted-foreground" };

function DownloadLogs({ id }: { id: string }) {
  const { data, isPending } = useDownloadLogs(id, true);
  if (isPending) return <Skeleton className="h-24" />;
  if (!data) return <p className="text-sm text-muted-foreground">Logs are not available on this server yet.</p>;
  if (data.items.length === 0) return <p className="text-sm text-muted-foreground">No log lines for this download.</p>;
  return (
    <ol className="max-h-72 overflow-auto rounded-md bg-muted p-2 font-mono text-xs" aria-label="Log lines">
      {[...data.items].reverse().map((l) => (
        <li key={l.id} className={levelColor[l.level]}>
          <time dateTime={l.time} className="text-muted-foreground">
            {new Date(l.time).toLocaleTimeString()}
          </time>{" "}
          [{l.level}] {l.message}
        </li>
      ))}
    </ol>
  );
}

/** Everything about one download: fields, error, files, match candidates and (admins) its log lines. */
export function DownloadDetailSheet({ id, isAdmin, onClose }: { id: string | null; isAdmin: boolean; onClose: () => void }) {
  const { data: d, isPending } = useDownload(id);
  // A site that gave no thumbnail: the still Downlink grabbed from the video.
  const thumb = d?.thumbnail_url ?? d?.files?.find((f) => f.thumbnail_url)?.thumbnail_url ?? null;
  return (
    <Sheet open={!!id} onOpenChange={(o) => !o && onClose()}>
      <SheetContent aria-describedby={undefined}>
        <SheetHeader>
          <SheetTitle>{d ? rowTitle(d) : "Download"}</SheetTitle>
          {d && (
            <SheetDescription className="flex flex-wrap items-center gap-2">
              <StatusBadge status={d.status} />
              <PlatformIcon platform={d.platform} />
              <PlatformLabel platform={d.platform} />·<span>{d.kind}</span>
            </SheetDescription>
          )}
        </SheetHeader>
        {isPending || !d ? (
          <div className="grid gap-2">
            <Skeleton className="h-40" />
            <Skeleton className="h-24" />
          </div>
        ) : (
          <div className="grid gap-5">
            {thumb && <img src={thumb} alt="" className="aspect-video w-full rounded-lg object-cover" />}
            {isActive(d.status) && <DownloadProgress download={d} />}
            {d.error && (
              <div role="alert" className="rounded-md border border-destructive/40 bg-destructive/10 p-3 text-sm">
                <p className="font-medium text-destructive">{d.status === "needs_match" ? "Needs a match" : errorTitle(d.error.code)}</p>
                <p>{d.error.message}</p>
                {pointsAtSystem(d.error.code) && (
                  <Link href="/system" className="mt-1 inline-block text-xs underline underline-offset-2">
                    YouTube challenge solver state
                  </Link>
                )}
                <p className="mt-1 text-xs text-muted-foreground">code: {d.error.code}</p>
                {d.error.details && (
                  <details className="mt-2 text-xs" data-testid="technical-details">
                    <summary className="cursor-pointer rounded-sm font-medium">Technical details</summary>
                    <pre className="mt-1 max-h-48 overflow-auto rounded bg-muted p-2 font-mono whitespace-pre-wrap break-words text-foreground">{d.error.details}</pre>
                  </details>
                )}
                {isAdmin && (
                  <Link href={`/logs?download=${d.id}`} className="mt-1 inline-block text-xs underline underline-offset-2">
                    Log records of this download
                  </Link>
                )}
              </div>
            )}
            <DownloadWarnings warnings={d.warnings} />
            {d.status === "needs_match" && (
              <section className="grid gap-2">
                <h3 className="font-medium">Pick the right recording</h3>
                <MatchCandidates download={d} />
              </section>
            )}
            <dl>
              <Field label="URL">
                <a href={d.url} target="_blank" rel="noreferrer" className="inline-flex items-center gap-1 break-all hover:underline">
                  {d.url} <ExternalLinkIcon className="size-3 shrink-0" aria-hidden />
                </a>
              </Field>
              {d.source_url && <Field label="Source">{d.source_url}</Field>}
              {d.uploader && <Field label="Uploader">{d.uploader}</Field>}
              {d.duration_seconds != null && <Field label="Duration">{formatDuration(d.duration_seconds)}</Field>}
              <Field label="Options">
                <span className="flex flex-wrap gap-1">
                  {d.options.preset && <Badge variant="secondary">{d.options.preset}</Badge>}
                  {d.options.audio_format && <Badge variant="secondary">{d.options.audio_format}</Badge>}
                  {d.options.subtitles && <Badge variant="secondary">subs: {d.options.subtitles.languages.join(", ")}</Badge>}
                  {(d.options.sponsorblock_remove ?? []).length > 0 && <Badge variant="secondary">SponsorBlock</Badge>}
                  {d.options.playlist_items && <Badge variant="secondary">items {d.options.playlist_items}</Badge>}
                </span>
              </Field>
              <Field label="Created">{formatDateTime(d.created_at)}</Field>
              <Field label="Started">{formatDateTime(d.started_at)}</Field>
              <Field label="Finished">{formatDateTime(d.finished_at)}</Field>
              <Field label="Attempts">{d.attempts}</Field>
              {d.node && <Field label="Node">{d.node}</Field>}
            </dl>
            {d.files.length > 0 && (
              <section className="grid gap-2">
                <div className="flex items-center justify-between gap-2">
                  <h3 className="font-medium">Files</h3>
                  <Button variant="outline" size="sm" asChild>
                    <Link href={`/files?download_id=${d.id}`}>
                      <FolderOpenIcon aria-hidden /> Open in Files
                    </Link>
                  </Button>
                </div>
                <ul className="grid gap-1">
                  {d.files.map((f) => (
                    <li key={f.id} className="flex items-center justify-between gap-2 rounded-md border px-3 py-2 text-sm">
                      <span className="min-w-0 truncate">{f.name}</span>
                      <span className="flex shrink-0 items-center gap-2 text-xs text-muted-foreground">
                        {formatBytes(f.size_bytes)}
                        <a href={`${f.content_url}?download=true`} download className="rounded-sm p-1 hover:text-foreground" aria-label={`Download ${f.name}`}>
                          <DownloadIcon className="size-4" aria-hidden />
                        </a>
                      </span>
                    </li>
                  ))}
                </ul>
              </section>
            )}
            {isAdmin && (
              <section className="grid gap-2">
                <h3 className="font-medium">Log</h3>
                <DownloadLogs id={d.id} />
              </section>
            )}
          </div>
        )}
      </SheetContent>
    </Sheet>
  );
}

function PlatformLabel({ platform }: { platform: Platform }) {
  return <span>{usePlatformLabel(platform)}</span>;
}
