import { queryOptions, useQuery } from "@tanstack/react-query";
import { api, unwrapOptional } from "@/lib/api/client";
import { queryKeys } from "@/lib/query-keys";

/** Your storage use, quota and the disk; null when the server has no /storage yet. */
export const getStorage = () => unwrapOptional(api.GET("/api/v1/storage"));

export const storageQueryOptions = () => queryOptions({ queryKey: queryKeys.storage, queryFn: getStorage, staleTime: 30_000 });

export const useStorage = () => useQuery(storageQueryOptions());
