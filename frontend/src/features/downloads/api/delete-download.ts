import { useMutation, useQueryClient } from "@tanstack/react-query";
import { toast } from "sonner";
import { api, unwrap, type Schemas } from "@/lib/api/client";
import { queryKeys } from "@/lib/query-keys";
import { applyEvent } from "@/lib/sse/apply-event";

export const deleteDownload = (id: string, deleteFiles: boolean) =>
  unwrap(
    api.DELETE("/api/v1/downloads/{id}", {
      params: { path: { id }, query: deleteFiles ? { delete_files: true } : {} },
    }),
  );

export function useDeleteDownload() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ download, deleteFiles }: { download: Schemas["Download"]; deleteFiles: boolean }) =>
      deleteDownload(download.id, deleteFiles),
    onSuccess: (_r, { download, deleteFiles }) => {
      applyEvent(qc, "download.deleted", { id: download.id, parent_id: download.parent_id, user_id: download.user_id });
      void qc.invalidateQueries({ queryKey: queryKeys.downloads.all });
      if (deleteFiles) void qc.invalidateQueries({ queryKey: queryKeys.files.all });
      toast.success(deleteFiles ? "Download and its files deleted" : "Download deleted; its files stay in the library");
    },
  });
}
