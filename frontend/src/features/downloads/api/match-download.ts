import { useMutation, useQueryClient } from "@tanstack/react-query";
import { toast } from "sonner";
import { api, unwrap, type Schemas } from "@/lib/api/client";
import { queryKeys } from "@/lib/query-keys";
import { applyEvent } from "@/lib/sse/apply-event";

/** Picks the YouTube source for a Spotify item waiting in needs_match. */
export const matchDownload = (id: string, body: Schemas["MatchRequest"]) =>
  unwrap(api.POST("/api/v1/downloads/{id}/match", { params: { path: { id } }, body }));

export function useMatchDownload() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: Schemas["MatchRequest"] }) => matchDownload(id, body),
    onSuccess: (d) => {
      applyEvent(qc, "download.updated", d);
      void qc.invalidateQueries({ queryKey: queryKeys.downloads.all });
      toast.success("Source chosen; queued again");
    },
  });
}
