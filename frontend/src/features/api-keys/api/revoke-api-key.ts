import { useMutation, useQueryClient } from "@tanstack/react-query";
import { toast } from "sonner";
import { api, unwrap, type Schemas } from "@/lib/api/client";
import { queryKeys } from "@/lib/query-keys";

export const revokeApiKey = (id: string) => unwrap(api.DELETE("/api/v1/api-keys/{id}", { params: { path: { id } } }));

export function useRevokeApiKey() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (key: Schemas["APIKey"]) => revokeApiKey(key.id),
    onSuccess: (_r, key) => {
      toast.success(`“${key.name}” revoked`, { description: "Programs using it are refused from now on." });
      void qc.invalidateQueries({ queryKey: queryKeys.apiKeys.all });
    },
  });
}
