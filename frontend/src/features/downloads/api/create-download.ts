import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "@/lib/api/client";
import { queryKeys } from "@/lib/query-keys";
import { applyEvent } from "@/lib/sse/apply-event";

export type CreateDownloadInput = { body: Schemas["CreateDownloadRequest"]; idempotencyKey: string };

/** Queues a download; the Idempotency-Key makes a repeated submission return the first download. */
export const createDownload = ({ body, idempotencyKey }: CreateDownloadInput) =>
  unwrap(api.POST("/api/v1/downloads", { body, params: { header: { "Idempotency-Key": idempotencyKey } } }));

export function useCreateDownload() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: createDownload,
    meta: { handlesErrors: true },
    onSuccess: (d) => {
      // Show it at once, whether or not the event stream is up.
      applyEvent(qc, "download.created", d);
      void qc.invalidateQueries({ queryKey: queryKeys.downloads.lists });
      void qc.invalidateQueries({ queryKey: queryKeys.stats });
    },
  });
}
