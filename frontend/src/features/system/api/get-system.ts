import { queryOptions, useQuery } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import { queryKeys } from "@/lib/query-keys";

export const getSystem = () => unwrap(api.GET("/api/v1/system"));

export const systemQueryOptions = () =>
  queryOptions({ queryKey: queryKeys.system, queryFn: getSystem, staleTime: 30_000, refetchInterval: 60_000 });

export const useSystem = () => useQuery(systemQueryOptions());
