import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "@/lib/api/client";
import { queryKeys } from "@/lib/query-keys";

/** Creates a key; the answer is the only time `key` is ever shown. */
export const createApiKey = (body: Schemas["CreateAPIKeyRequest"]) => unwrap(api.POST("/api/v1/api-keys", { body }));

export function useCreateApiKey() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: createApiKey,
    meta: { handlesErrors: true },
    onSuccess: () => void qc.invalidateQueries({ queryKey: queryKeys.apiKeys.all }),
  });
}
