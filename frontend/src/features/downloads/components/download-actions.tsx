import { FolderOpenIcon, InfoIcon, MoreHorizontalIcon, RotateCcwIcon, SquareIcon, Trash2Icon } from "lucide-react";
import { useState } from "react";
import { useLocation } from "wouter";
import { Button } from "@/components/ui/button";
import { DropdownMenu, DropdownMenuContent, DropdownMenuItem, DropdownMenuSeparator, DropdownMenuTrigger } from "@/components/ui/dropdown-menu";
import type { Schemas } from "@/lib/api/client";
import { useCancelDownload } from "@/features/downloads/api/cancel-download";
import { useRetryDownload } from "@/features/downloads/api/retry-download";
import { DeleteDownloadDialog } from "@/features/downloads/components/delete-download-dialog";
import { isActive } from "@/features/downloads/components/status-badge";

/** The row menu: details, cancel, retry, open files, delete. */
export function DownloadActions({ download: d, onOpen }: { download: Schemas["Download"]; onOpen: (id: string) => void }) {
  const [confirm, setConfirm] = useState(false);
  const [, navigate] = useLocation();
  const cancel = useCancelDownload();
  const retry = useRetryDownload();
  const canCancel = isActive(d.status) || d.status === "needs_match";
  const canRetry = d.status === "failed" || d.status === "canceled";
  const hasFiles = d.files.length > 0 || d.children_count > 0;
  return (
    <>
      <DropdownMenu>
        <DropdownMenuTrigger asChild>
          <Button variant="ghost" size="icon-sm" aria-label={`Actions for ${d.title ?? d.url}`}>
            <MoreHorizontalIcon aria-hidden />
          </Button>
        </DropdownMenuTrigger>
        <DropdownMenuContent align="end">
          <DropdownMenuItem onSelect={() => onOpen(d.id)}>
            <InfoIcon aria-hidden /> Details
          </DropdownMenuItem>
          {canCancel && (
            <DropdownMenuItem onSelect={() => cancel.mutate(d.id)}>
              <SquareIcon aria-hidden /> Cancel
            </DropdownMenuItem>
          )}
          {canRetry && (
            <DropdownMenuItem onSelect={() => retry.mutate(d.id)}>
              <RotateCcwIcon aria-hidden /> Retry
            </DropdownMenuItem>
          )}
          {hasFiles && (
            <DropdownMenuItem onSelect={() => navigate(`/files?download_id=${d.id}`)}>
              <FolderOpenIcon aria-hidden /> Open files
            </DropdownMenuItem>
          )}
          <DropdownMenuSeparator />
          <DropdownMenuItem destructive onSelect={() => setConfirm(true)}>
            <Trash2Icon aria-hidden /> Delete…
          </DropdownMenuItem>
        </DropdownMenuContent>
      </DropdownMenu>
      <DeleteDownloadDialog download={d} open={confirm} onOpenChange={setConfirm} />
    </>
  );
}
