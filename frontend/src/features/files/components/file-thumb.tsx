import { FileIcon, FileTextIcon, ImageIcon, MusicIcon, VideoIcon } from "lucide-react";
import { useState } from "react";
import type { Schemas } from "@/lib/api/client";
import { cn } from "@/lib/utils";

const kindIcons = { video: VideoIcon, audio: MusicIcon, image: ImageIcon, subtitle: FileTextIcon, other: FileIcon };

/** The file's thumbnail, or an icon for its kind when there is none. */
export function FileThumb({ file, className }: { file: Schemas["LibraryFile"]; className?: string }) {
  const [broken, setBroken] = useState(false);
  const src = file.thumbnail_url ?? (file.kind === "image" && !file.missing ? file.content_url : null);
  const Icon = kindIcons[file.kind] ?? FileIcon;
  if (src && !broken) {
    return <img src={src} alt="" loading="lazy" onError={() => setBroken(true)} className={cn("bg-muted object-cover", className)} />;
  }
  return (
    <div className={cn("flex items-center justify-center bg-muted text-muted-foreground", className)}>
      <Icon className="size-1/3 max-h-10 max-w-10" aria-hidden />
    </div>
  );
}
