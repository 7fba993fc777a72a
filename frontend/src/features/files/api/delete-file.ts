import { useMutation, useQueryClient } from "@tanstack/react-query";
import { toast } from "sonner";
import { api, unwrap } from "@/lib/api/client";
import { queryKeys } from "@/lib/query-keys";

export const deleteFile = (id: string) => unwrap(api.DELETE("/api/v1/files/{id}", { params: { path: { id } } }));

export function useDeleteFile() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: deleteFile,
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: queryKeys.files.all });
      void qc.invalidateQueries({ queryKey: queryKeys.storage });
      // The download that made it lists its files.
      void qc.invalidateQueries({ queryKey: queryKeys.downloads.details });
      toast.success("File deleted");
    },
  });
}
