import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "@/lib/api/client";
import { queryKeys } from "@/lib/query-keys";

export const updateApiKey = (id: string, body: Schemas["UpdateAPIKeyRequest"]) =>
  unwrap(api.PATCH("/api/v1/api-keys/{id}", { params: { path: { id } }, body }));

export function useUpdateApiKey() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: Schemas["UpdateAPIKeyRequest"] }) => updateApiKey(id, body),
    meta: { handlesErrors: true },
    onSuccess: () => void qc.invalidateQueries({ queryKey: queryKeys.apiKeys.all }),
  });
}
