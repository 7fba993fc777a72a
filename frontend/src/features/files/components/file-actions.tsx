import type * as React from "react";
import { DownloadIcon, PinIcon, PinOffIcon, PlayIcon, Trash2Icon } from "lucide-react";
import { useState } from "react";
import {
  AlertDialog,
  AlertDialogAction,
  AlertDialogCancel,
  AlertDialogContent,
  AlertDialogDescription,
  AlertDialogFooter,
  AlertDialogHeader,
  AlertDialogTitle,
} from "@/components/ui/alert-dialog";
import { Button } from "@/components/ui/button";
import { Tooltip, TooltipContent, TooltipTrigger } from "@/components/ui/tooltip";
import type { Schemas } from "@/lib/api/client";
import { useDeleteFile } from "@/features/files/api/delete-file";
import { useUpdateFile } from "@/features/files/api/update-file";

export const playable = (f: Schemas["LibraryFile"]) => !f.missing && (f.kind === "video" || f.kind === "audio" || f.kind === "image");

function IconAction({ label, children, ...props }: React.ComponentProps<typeof Button> & { label: string }) {
  return (
    <Tooltip>
      <TooltipTrigger asChild>
        <Button variant="ghost" size="icon-sm" aria-label={label} {...props}>
          {children}
        </Button>
      </TooltipTrigger>
      <TooltipContent>{label}</TooltipContent>
    </Tooltip>
  );
}

/** Play, download, pin and delete (with confirmation) for one file. */
export function FileActions({ file, onPlay }: { file: Schemas["LibraryFile"]; onPlay: (f: Schemas["LibraryFile"]) => void }) {
  const [confirm, setConfirm] = useState(false);
  const pin = useUpdateFile();
  const del = useDeleteFile();
  return (
    <div className="flex items-center gap-0.5">
      {playable(file) && (
        <IconAction label={`Play ${file.name}`} onClick={() => onPlay(file)}>
          <PlayIcon aria-hidden />
        </IconAction>
      )}
      {!file.missing && (
        <Tooltip>
          <TooltipTrigger asChild>
            <Button variant="ghost" size="icon-sm" asChild>
              <a href={`${file.content_url}?download=true`} download={file.name} aria-label={`Download ${file.name}`} data-testid="file-download">
                <DownloadIcon aria-hidden />
              </a>
            </Button>
          </TooltipTrigger>
          <TooltipContent>Download</TooltipContent>
        </Tooltip>
      )}
      <IconAction
        label={file.pinned ? `Unpin ${file.name}` : `Pin ${file.name}`}
        aria-pressed={file.pinned}
        disabled={pin.isPending}
        onClick={() => pin.mutate({ id: file.id, pinned: !file.pinned })}
      >
        {file.pinned ? <PinOffIcon aria-hidden /> : <PinIcon aria-hidden />}
      </IconAction>
      <IconAction label={`Delete ${file.name}`} onClick={() => setConfirm(true)}>
        <Trash2Icon aria-hidden />
      </IconAction>
      <AlertDialog open={confirm} onOpenChange={setConfirm}>
        <AlertDialogContent>
          <AlertDialogHeader>
            <AlertDialogTitle>Delete this file?</AlertDialogTitle>
            <AlertDialogDescription>“{file.name}” is removed from the library and from disk. This cannot be undone.</AlertDialogDescription>
          </AlertDialogHeader>
          <AlertDialogFooter>
            <AlertDialogCancel>Keep</AlertDialogCancel>
            <AlertDialogAction destructive onClick={() => del.mutate(file.id)}>
              Delete file
            </AlertDialogAction>
          </AlertDialogFooter>
        </AlertDialogContent>
      </AlertDialog>
    </div>
  );
}
