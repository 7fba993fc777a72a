import { PinIcon } from "lucide-react";
import { PlatformIcon } from "@/components/platform-icon";
import { Badge } from "@/components/ui/badge";
import type { Schemas } from "@/lib/api/client";
import { formatBytes, formatRelative } from "@/lib/format";
import { FileActions, playable } from "@/features/files/components/file-actions";
import { FileThumb } from "@/features/files/components/file-thumb";

type Props = { files: Schemas["LibraryFile"][]; onPlay: (f: Schemas["LibraryFile"]) => void };

function Meta({ f }: { f: Schemas["LibraryFile"] }) {
  return (
    <p className="flex flex-wrap items-center gap-x-2 gap-y-1 text-xs text-muted-foreground">
      <PlatformIcon platform={f.platform} />
      <span>{f.kind}</span>
      <span>{formatBytes(f.size_bytes)}</span>
      <span>{formatRelative(f.created_at)}</span>
      {f.pinned && (
        <Badge variant="secondary">
          <PinIcon aria-hidden /> pinned
        </Badge>
      )}
      {f.missing && <Badge variant="destructive">missing on disk</Badge>}
    </p>
  );
}

export function FilesGrid({ files, onPlay }: Props) {
  return (
    <ul className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-3 xl:grid-cols-4" aria-label="Files">
      {files.map((f) => (
        <li key={f.id} className="overflow-hidden rounded-xl border bg-card" data-testid="file-item" data-kind={f.kind}>
          <button
            type="button"
            className="block w-full disabled:cursor-default"
            onClick={() => onPlay(f)}
            disabled={!playable(f)}
            aria-label={playable(f) ? `Play ${f.name}` : f.name}
            tabIndex={playable(f) ? 0 : -1}
          >
            <FileThumb file={f} className="aspect-video w-full" />
          </button>
          <div className="grid gap-1 p-3">
            <p className="truncate text-sm font-medium" title={f.name}>
              {f.name}
            </p>
            <Meta f={f} />
            <div className="-ml-2">
              <FileActions file={f} onPlay={onPlay} />
            </div>
          </div>
        </li>
      ))}
    </ul>
  );
}

export function FilesTable({ files, onPlay }: Props) {
  return (
    <ul className="divide-y rounded-xl border bg-card" aria-label="Files">
      {files.map((f) => (
        <li key={f.id} className="flex flex-wrap items-center gap-3 p-3" data-testid="file-item" data-kind={f.kind}>
          <FileThumb file={f} className="h-10 w-16 shrink-0 rounded" />
          <div className="min-w-0 flex-1">
            <p className="truncate text-sm font-medium" title={f.name}>
              {f.name}
            </p>
            <Meta f={f} />
          </div>
          <FileActions file={f} onPlay={onPlay} />
        </li>
      ))}
    </ul>
  );
}
