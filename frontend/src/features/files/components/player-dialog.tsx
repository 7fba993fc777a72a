import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import type { Schemas } from "@/lib/api/client";
import { formatBytes } from "@/lib/format";

/** Plays a video or audio file in the page, streamed with Range requests. */
export function PlayerDialog({ file, onClose }: { file: Schemas["File"] | null; onClose: () => void }) {
  return (
    <Dialog open={!!file} onOpenChange={(o) => !o && onClose()}>
      <DialogContent className="max-w-3xl">
        {file && (
          <>
            <DialogHeader>
              <DialogTitle>{file.name}</DialogTitle>
              <DialogDescription>
                {file.mime_type} · {formatBytes(file.size_bytes)}
              </DialogDescription>
            </DialogHeader>
            {file.kind === "video" ? (
              <video
                key={file.id}
                src={file.content_url}
                controls
                autoPlay
                playsInline
                className="max-h-[70dvh] w-full rounded-lg bg-black"
                data-testid="player"
                aria-label={`Video: ${file.name}`}
              />
            ) : file.kind === "audio" ? (
              <div className="grid gap-3">
                {file.thumbnail_url && <img src={file.thumbnail_url} alt="" className="mx-auto max-h-64 rounded-lg object-cover" />}
                <audio key={file.id} src={file.content_url} controls autoPlay className="w-full" data-testid="player" aria-label={`Audio: ${file.name}`} />
              </div>
            ) : file.kind === "image" ? (
              <img src={file.content_url} alt={file.name} className="max-h-[70dvh] w-full rounded-lg object-contain" />
            ) : null}
          </>
        )}
      </DialogContent>
    </Dialog>
  );
}
