import { useMutation, useQueryClient } from "@tanstack/react-query";
import { toast } from "sonner";
import { api, unwrap } from "@/lib/api/client";
import { queryKeys } from "@/lib/query-keys";

/** Queues a check now; the list refreshes until it is done. */
export const checkSubscription = (id: string) => unwrap(api.POST("/api/v1/subscriptions/{id}/check", { params: { path: { id } } }));

export function useCheckSubscription() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: checkSubscription,
    onSuccess: (s) => {
      toast.success("Checking now", { description: s.name });
      void qc.invalidateQueries({ queryKey: queryKeys.subscriptions.all });
    },
  });
}
