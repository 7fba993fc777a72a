import { useMutation, useQueryClient } from "@tanstack/react-query";
import { toast } from "sonner";
import { api, unwrap, type Schemas } from "@/lib/api/client";
import { queryKeys } from "@/lib/query-keys";

export const deleteWebhook = (id: string) => unwrap(api.DELETE("/api/v1/webhooks/{id}", { params: { path: { id } } }));

export function useDeleteWebhook() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (w: Schemas["Webhook"]) => deleteWebhook(w.id),
    onSuccess: () => {
      toast.success("Webhook deleted", { description: "Its delivery log and pending retries are gone too." });
      void qc.invalidateQueries({ queryKey: queryKeys.webhooks.all });
    },
  });
}
