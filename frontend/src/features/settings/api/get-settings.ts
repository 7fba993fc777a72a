import { queryOptions, useQuery } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import { queryKeys } from "@/lib/query-keys";

export const getSettings = () => unwrap(api.GET("/api/v1/settings"));

export const settingsQueryOptions = () => queryOptions({ queryKey: queryKeys.settings.global, queryFn: getSettings });

export const useSettings = (enabled = true) => useQuery({ ...settingsQueryOptions(), enabled });
