import { useMutation, useQueryClient } from "@tanstack/react-query";
import { toast } from "sonner";
import { api, unwrap, type Schemas } from "@/lib/api/client";
import { queryKeys } from "@/lib/query-keys";

/** Queues a signed webhook.test delivery (even to a disabled webhook). */
export const testWebhook = (id: string) => unwrap(api.POST("/api/v1/webhooks/{id}/test", { params: { path: { id } } }));

export function useTestWebhook() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (w: Schemas["Webhook"]) => testWebhook(w.id),
    onSuccess: (_d, w) => {
      toast.success("Test delivery queued", { description: "Its outcome appears under Deliveries." });
      void qc.invalidateQueries({ queryKey: queryKeys.webhooks.deliveries(w.id) });
      void qc.invalidateQueries({ queryKey: queryKeys.webhooks.list });
    },
  });
}
