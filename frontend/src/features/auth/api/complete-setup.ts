import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "@/lib/api/client";
import { queryKeys } from "@/lib/query-keys";

export const completeSetup = (body: Schemas["SetupRequest"]) => unwrap(api.POST("/api/v1/auth/setup", { body }));

export function useCompleteSetup() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: completeSetup,
    meta: { handlesErrors: true },
    onSuccess: (me) => {
      qc.clear();
      qc.setQueryData(queryKeys.me, me);
    },
  });
}
