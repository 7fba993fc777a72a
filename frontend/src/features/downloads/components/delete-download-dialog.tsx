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
import { Checkbox } from "@/components/ui/checkbox";
import { Label } from "@/components/ui/label";
import type { Schemas } from "@/lib/api/client";
import { useDeleteDownload } from "@/features/downloads/api/delete-download";

/** Confirms deleting a download, and asks whether its files go too. */
export function DeleteDownloadDialog({
  download,
  open,
  onOpenChange,
}: {
  download: Schemas["Download"];
  open: boolean;
  onOpenChange: (open: boolean) => void;
}) {
  const [deleteFiles, setDeleteFiles] = useState(false);
  const del = useDeleteDownload();
  const parent = download.children_count > 0;
  return (
    <AlertDialog open={open} onOpenChange={onOpenChange}>
      <AlertDialogContent>
        <AlertDialogHeader>
          <AlertDialogTitle>Delete this download?</AlertDialogTitle>
          <AlertDialogDescription>
            “{download.title ?? download.url}”{parent ? ` and its ${download.children_count} items` : ""} will be removed from the list.
            {download.status !== "completed" && download.status !== "failed" && download.status !== "canceled" && " It is canceled first."}
          </AlertDialogDescription>
        </AlertDialogHeader>
        <div className="flex items-start gap-2">
          <Checkbox id="delete-files" checked={deleteFiles} onCheckedChange={(v) => setDeleteFiles(v === true)} />
          <Label htmlFor="delete-files" className="leading-snug font-normal">
            Also delete its files from the library (otherwise they stay in Files)
          </Label>
        </div>
        <AlertDialogFooter>
          <AlertDialogCancel>Keep</AlertDialogCancel>
          <AlertDialogAction destructive onClick={() => del.mutate({ download, deleteFiles })}>
            {deleteFiles ? "Delete with files" : "Delete, keep files"}
          </AlertDialogAction>
        </AlertDialogFooter>
      </AlertDialogContent>
    </AlertDialog>
  );
}
