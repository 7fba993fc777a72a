import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "@/lib/api/client";
import { queryKeys } from "@/lib/query-keys";

type Platform = Schemas["Platform"];

/**
 * Replaces one platform's settings. Secrets: left out keeps the stored
 * value, "" clears it, anything else replaces it.
 */
export const updatePlatformSettings = (platform: Platform, body: Schemas["PlatformSettingsUpdate"]) =>
  unwrap(api.PUT("/api/v1/settings/platforms/{platform}", { params: { path: { platform } }, body }));

export function useUpdatePlatformSettings() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ platform, body }: { platform: Platform; body: Schemas["PlatformSettingsUpdate"] }) => updatePlatformSettings(platform, body),
    meta: { handlesErrors: true },
    onSuccess: (saved) => {
      qc.setQueryData<Schemas["PlatformSettingsList"]>(queryKeys.settings.platforms, (list) =>
        list ? { items: list.items.map((p) => (p.platform === saved.platform ? saved : p)) } : list,
      );
      void qc.invalidateQueries({ queryKey: queryKeys.settings.platforms });
      // generic.enabled is the global generic switch; enabled platforms are part of /auth/me.
      void qc.invalidateQueries({ queryKey: queryKeys.settings.global });
      void qc.invalidateQueries({ queryKey: queryKeys.me });
    },
  });
}
