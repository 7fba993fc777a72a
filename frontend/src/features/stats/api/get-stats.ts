import { queryOptions, useQuery } from "@tanstack/react-query";
import { api, unwrapOptional } from "@/lib/api/client";
import { queryKeys } from "@/lib/query-keys";

/** Dashboard statistics; null when the server has no /stats yet. */
export const getStats = () => unwrapOptional(api.GET("/api/v1/stats"));

export const statsQueryOptions = () => queryOptions({ queryKey: queryKeys.stats, queryFn: getStats, staleTime: 30_000 });

export const useStats = () => useQuery(statsQueryOptions());
