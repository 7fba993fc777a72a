import { useMutation, useQueryClient } from "@tanstack/react-query";
import { toast } from "sonner";
import { api, unwrap } from "@/lib/api/client";
import { queryKeys } from "@/lib/query-keys";
import { applyEvent } from "@/lib/sse/apply-event";

export const retryDownload = (id: string) =>
  unwrap(api.POST("/api/v1/downloads/{id}/retry", { params: { path: { id } } }));

export function useRetryDownload() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: retryDownload,
    onSuccess: (d) => {
      applyEvent(qc, "download.updated", d);
      void qc.invalidateQueries({ queryKey: queryKeys.downloads.all });
      toast.success("Queued again");
    },
  });
}
