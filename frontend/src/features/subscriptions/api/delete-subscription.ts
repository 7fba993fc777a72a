import { useMutation, useQueryClient } from "@tanstack/react-query";
import { toast } from "sonner";
import { api, unwrap } from "@/lib/api/client";
import { queryKeys } from "@/lib/query-keys";

export const deleteSubscription = (id: string) => unwrap(api.DELETE("/api/v1/subscriptions/{id}", { params: { path: { id } } }));

export function useDeleteSubscription() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: deleteSubscription,
    onSuccess: () => {
      toast.success("Subscription deleted", { description: "The downloads it queued stay in your library." });
      void qc.invalidateQueries({ queryKey: queryKeys.subscriptions.all });
    },
  });
}
