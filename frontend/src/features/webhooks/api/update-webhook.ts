import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "@/lib/api/client";
import { queryKeys } from "@/lib/query-keys";

export const updateWebhook = (id: string, body: Schemas["UpdateWebhookRequest"]) =>
  unwrap(api.PATCH("/api/v1/webhooks/{id}", { params: { path: { id } }, body }));

export function useUpdateWebhook() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: Schemas["UpdateWebhookRequest"] }) => updateWebhook(id, body),
    meta: { handlesErrors: true },
    onSuccess: () => void qc.invalidateQueries({ queryKey: queryKeys.webhooks.all }),
  });
}
