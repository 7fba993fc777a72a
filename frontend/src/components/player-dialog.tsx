import { DownloadIcon } from "lucide-react";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import type { Schemas } from "@/lib/api/client";
import { formatBytes } from "@/lib/format";

/**
 * Whether this browser says it may play a file of this type. Matroska
 * (the "best" preset's AV1/VP9, HDR) answers "" in most browsers.
 */
export function browserMayPlay(mime: string, kind: "video" | "audio"): boolean {
  if (typeof document === "undefined") return true;
  const el = document.createElement(kind);
  if (typeof el.canPlayType !== "function") return true;
  return el.canPlayType(mime) !== "";
}

/** Offered instead of a player the browser cannot use. */
function CannotPlay({ file, reason }: { file: Schemas["LibraryFile"]; reason: string }) {
  return (
    <div role="status" className="grid justify-items-center gap-3 rounded-lg border p-6 text-center text-sm" data-testid="cannot-play">
      <p>{reason}</p>
      <p className="text-muted-foreground">Download it and play it with a desktop player such as VLC or mpv; the Compatible preset makes files that play here.</p>
      <Button asChild>
        <a href={`${file.content_url}?download=true`} download={file.name}>
          <DownloadIcon aria-hidden /> Download
        </a>
      </Button>
    </div>
  );
}

function VideoPlayer({ file }: { file: Schemas["LibraryFile"] }) {
  const [failed, setFailed] = useState(false);
  if (!browserMayPlay(file.mime_type, "video")) {
    return <CannotPlay file={file} reason={`This browser cannot play ${file.mime_type} files.`} />;
  }
  if (failed) {
    return <CannotPlay file={file} reason="This browser cannot play this file (its video or audio codec is not supported here)." />;
  }
  return (
    <video
      key={file.id}
      src={file.content_url}
      controls
      autoPlay
      playsInline
      onError={(e) => {
        // A decode or format error, not a network one, means: not playable here.
        const code = e.currentTarget.error?.code;
        if (code === 3 || code === 4) setFailed(true);
      }}
      className="max-h-[70dvh] w-full rounded-lg bg-black"
      data-testid="player"
      aria-label={`Video: ${file.name}`}
    />
  );
}

/** Plays a video or audio file in the page, streamed with Range requests. */
export function PlayerDialog({ file, onClose }: { file: Schemas["LibraryFile"] | null; onClose: () => void }) {
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
              <VideoPlayer key={file.id} file={file} />
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
