import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "@/lib/api/client";
import { queryKeys } from "@/lib/query-keys";

/** Replaces the global settings (the whole object, as GET returned it, edited). */
export const updateSettings = (body: Schemas["GlobalSettings"]) => unwrap(api.PUT("/api/v1/settings", { body }));

export function useUpdateSettings() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: updateSettings,
    meta: { handlesErrors: true },
    onSuccess: (s) => {
      qc.setQueryData(queryKeys.settings.global, s);
      // Retention, quotas, the generic switch and enabled platforms follow from these.
      void qc.invalidateQueries({ queryKey: queryKeys.settings.platforms });
      void qc.invalidateQueries({ queryKey: queryKeys.storage });
      void qc.invalidateQueries({ queryKey: queryKeys.me });
    },
  });
}
