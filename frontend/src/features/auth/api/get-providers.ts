import { queryOptions, useQuery } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import { queryKeys } from "@/lib/query-keys";

export const getProviders = () => unwrap(api.GET("/api/v1/auth/providers"));

export const providersQueryOptions = () =>
  queryOptions({ queryKey: queryKeys.providers, queryFn: getProviders, staleTime: 0 });

export const useProviders = () => useQuery(providersQueryOptions());
