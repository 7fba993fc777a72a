import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "@/lib/api/client";
import { queryKeys } from "@/lib/query-keys";

export const updateMe = (body: Schemas["UpdateMeRequest"]) => unwrap(api.PATCH("/api/v1/auth/me", { body }));

export function useUpdateMe() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: updateMe,
    meta: { handlesErrors: true },
    onSuccess: (me) => {
      qc.setQueryData(queryKeys.me, me);
      // A password change signs out the other sessions.
      void qc.invalidateQueries({ queryKey: queryKeys.sessions });
    },
  });
}
