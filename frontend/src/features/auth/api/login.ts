import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "@/lib/api/client";
import { queryKeys } from "@/lib/query-keys";

export const login = (body: Schemas["LoginRequest"]) => unwrap(api.POST("/api/v1/auth/login", { body }));

export function useLogin() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: login,
    meta: { handlesErrors: true },
    onSuccess: (me) => {
      // Whatever was cached belonged to the previous session.
      qc.clear();
      qc.setQueryData(queryKeys.me, me);
    },
  });
}
