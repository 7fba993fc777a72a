import { useMutation, useQueryClient } from "@tanstack/react-query";
import { toast } from "sonner";
import { api, unwrap } from "@/lib/api/client";
import { queryKeys } from "@/lib/query-keys";
import { applyEvent } from "@/lib/sse/apply-event";

export const cancelDownload = (id: string) =>
  unwrap(api.POST("/api/v1/downloads/{id}/cancel", { params: { path: { id } } }));

export function useCancelDownload() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: cancelDownload,
    onSuccess: (d) => {
      applyEvent(qc, "download.updated", d);
      void qc.invalidateQueries({ queryKey: queryKeys.downloads.all });
      toast.success("Download canceled");
    },
  });
}
