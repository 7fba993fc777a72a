import { ChevronRightIcon, DownloadIcon, PlayIcon } from "lucide-react";
import { useState } from "react";
import { PlatformIcon } from "@/components/platform-icon";
import { PlayerDialog } from "@/components/player-dialog";
import { Button } from "@/components/ui/button";
import { Progress } from "@/components/ui/progress";
import type { Schemas } from "@/lib/api/client";
import { formatBytes, formatRelative } from "@/lib/format";
import { cn } from "@/lib/utils";
import { DownloadActions } from "@/features/downloads/components/download-actions";
import { DownloadChildren } from "@/features/downloads/components/download-children";
import { DownloadProgress } from "@/features/downloads/components/download-progress";
import { DownloadWarnings } from "@/features/downloads/components/download-warnings";
import { isActive, StatusBadge } from "@/features/downloads/components/status-badge";
import { kindLabel, parentProgress, playableFile, rowTitle } from "@/features/downloads/utils/row-labels";

const parentKinds = new Set(["playlist", "album", "channel", "artist"]);

/** One download in the list; playlist/album parents expand to their items. */
export function DownloadRow({ download: d, onOpen, depth = 0 }: { download: Schemas["Download"]; onOpen: (id: string) => void; depth?: number }) {
  const [expanded, setExpanded] = useState(false);
  const isParent = d.children_count > 0 || (parentKinds.has(d.kind) && !d.parent_id);
  const size = d.files.reduce((n, f) => n + f.size_bytes, 0);
  const summary = d.children_summary;
  const [playing, setPlaying] = useState<Schemas["LibraryFile"] | null>(null);
  const title = rowTitle(d);
  const parent = isParent ? parentProgress(d) : null;
  const play = d.status === "completed" ? playableFile(d) : null;
  const file = d.status === "completed" && d.files.length === 1 ? d.files[0] : play;
  return (
    <li className={cn("grid gap-2 py-3", depth > 0 && "pl-6 sm:pl-10")} data-testid="download-row" data-id={d.id} data-status={d.status}>
      <div className="flex items-start gap-3">
        {isParent ? (
          <Button
            variant="ghost"
            size="icon-sm"
            aria-expanded={expanded}
            aria-label={`${expanded ? "Collapse" : "Expand"} ${d.title ?? "playlist"}`}
            onClick={() => setExpanded((e) => !e)}
          >
            <ChevronRightIcon className={cn("transition-transform", expanded && "rotate-90")} aria-hidden />
          </Button>
        ) : (
          <span className="flex size-8 shrink-0 items-center justify-center">
            <PlatformIcon platform={d.platform} className="size-5" />
          </span>
        )}
        <div className="grid min-w-0 flex-1 gap-1">
          <button
            type="button"
            className="truncate rounded-sm text-left font-medium hover:underline"
            onClick={() => onOpen(d.id)}
            title={d.title ?? d.url}
            data-testid="download-title"
          >
            {title}
          </button>
          <div className="flex flex-wrap items-center gap-x-3 gap-y-1 text-xs text-muted-foreground">
            <StatusBadge status={d.status} />
            {isParent && <PlatformIcon platform={d.platform} />}
            <span data-testid="download-kind">{kindLabel(d)}</span>
            {!d.title && title !== d.url && <span className="max-w-64 truncate">{d.url}</span>}
            {parent ? (
              <span data-testid="parent-progress-label">{parent.label}</span>
            ) : summary && (
              <span>
                {summary.completed}/{d.children_count} done{summary.failed ? `, ${summary.failed} failed` : ""}
              </span>
            )}
            {size > 0 && <span>{formatBytes(size)}</span>}
            <span>{formatRelative(d.created_at)}</span>
          </div>
          {d.error && d.status !== "completed" && (
            <p className="text-xs text-destructive" data-testid="download-error">
              {d.error.message}
            </p>
          )}
          <DownloadWarnings warnings={d.warnings} compact />
          {parent ? (
            <Progress value={parent.percent} aria-label={`Progress of ${d.title ?? "playlist"}`} aria-valuetext={parent.label} data-testid="parent-progress" />
          ) : (
            !isParent && isActive(d.status) && d.status !== "queued" && <DownloadProgress download={d} />
          )}
        </div>
        {play && (
          <Button variant="ghost" size="icon-sm" aria-label={`Play ${title}`} onClick={() => setPlaying(play)}>
            <PlayIcon aria-hidden />
          </Button>
        )}
        {file && (
          <Button variant="ghost" size="icon-sm" asChild>
            <a href={`${file.content_url}?download=true`} download={file.name} aria-label={`Download ${title}`}>
              <DownloadIcon aria-hidden />
            </a>
          </Button>
        )}
        <DownloadActions download={d} onOpen={onOpen} />
      </div>
      <PlayerDialog file={playing} onClose={() => setPlaying(null)} />
      {isParent && expanded && <DownloadChildren parentId={d.id} onOpen={onOpen} depth={depth + 1} />}
    </li>
  );
}
