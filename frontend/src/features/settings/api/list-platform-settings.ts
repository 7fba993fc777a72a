import { queryOptions, useQuery } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import { queryKeys } from "@/lib/query-keys";

/** Every platform's settings, in the order youtube, spotify, instagram, generic; secrets never included. */
export const listPlatformSettings = () => unwrap(api.GET("/api/v1/settings/platforms"));

export const platformSettingsQueryOptions = () =>
  queryOptions({ queryKey: queryKeys.settings.platforms, queryFn: listPlatformSettings, select: (d) => d.items });

export const usePlatformSettings = () => useQuery(platformSettingsQueryOptions());
