import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "@/lib/api/client";
import { queryKeys } from "@/lib/query-keys";

/** Changes the fields given (the source URL is fixed). */
export const updateSubscription = ({ id, body }: { id: string; body: Schemas["UpdateSubscriptionRequest"] }) =>
  unwrap(api.PATCH("/api/v1/subscriptions/{id}", { params: { path: { id } }, body }));

export function useUpdateSubscription() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: updateSubscription,
    meta: { handlesErrors: true },
    onSuccess: () => void qc.invalidateQueries({ queryKey: queryKeys.subscriptions.all }),
  });
}
