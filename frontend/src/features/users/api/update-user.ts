import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "@/lib/api/client";
import { queryKeys } from "@/lib/query-keys";

export const updateUser = (id: string, body: Schemas["UpdateUserRequest"]) =>
  unwrap(api.PATCH("/api/v1/users/{id}", { params: { path: { id } }, body }));

/** Role, disabled, name or quota. The caller shows errors (the last-admin 409 gets its own banner). */
export function useUpdateUser() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: Schemas["UpdateUserRequest"] }) => updateUser(id, body),
    meta: { handlesErrors: true },
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: queryKeys.users.all });
      void qc.invalidateQueries({ queryKey: queryKeys.storage });
      // Your own role or name may have changed.
      void qc.invalidateQueries({ queryKey: queryKeys.me });
    },
  });
}
