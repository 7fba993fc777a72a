import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "@/lib/api/client";
import { queryKeys } from "@/lib/query-keys";

/** Registers a webhook; the answer is the only time its signing secret is shown. */
export const createWebhook = (body: Schemas["CreateWebhookRequest"]) => unwrap(api.POST("/api/v1/webhooks", { body }));

export function useCreateWebhook() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: createWebhook,
    meta: { handlesErrors: true },
    onSuccess: () => void qc.invalidateQueries({ queryKey: queryKeys.webhooks.all }),
  });
}
