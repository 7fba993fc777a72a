import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "@/lib/api/client";
import { queryKeys } from "@/lib/query-keys";

/** Subscribes to a source; its first check is queued at once. */
export const createSubscription = (body: Schemas["CreateSubscriptionRequest"]) => unwrap(api.POST("/api/v1/subscriptions", { body }));

export function useCreateSubscription() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: createSubscription,
    meta: { handlesErrors: true },
    onSuccess: () => void qc.invalidateQueries({ queryKey: queryKeys.subscriptions.all }),
  });
}
