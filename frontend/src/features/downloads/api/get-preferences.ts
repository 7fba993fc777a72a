import { queryOptions, useQuery } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import { queryKeys } from "@/lib/query-keys";

/** What this user chose last for a new download (remembered on the server). */
export const getPreferences = () => unwrap(api.GET("/api/v1/auth/me/preferences"));

export const preferencesQueryOptions = () =>
  queryOptions({ queryKey: queryKeys.preferences, queryFn: getPreferences, staleTime: Infinity, meta: { silent: true } });

export const usePreferences = () => useQuery(preferencesQueryOptions());
