import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "@/lib/api/client";
import { queryKeys } from "@/lib/query-keys";

/** Remembers this user's choices; the next form starts from them. */
export const putPreferences = (body: Schemas["UserPreferences"]) => unwrap(api.PUT("/api/v1/auth/me/preferences", { body }));

export function usePutPreferences() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: putPreferences,
    // Remembering is a convenience: a failure is not worth a toast.
    meta: { handlesErrors: true },
    onSuccess: (p) => qc.setQueryData(queryKeys.preferences, p),
  });
}
