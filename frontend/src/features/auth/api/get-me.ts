import { queryOptions, useQuery } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import { queryKeys } from "@/lib/query-keys";

export const getMe = () => unwrap(api.GET("/api/v1/auth/me"));

export const meQueryOptions = () =>
  queryOptions({
    queryKey: queryKeys.me,
    queryFn: getMe,
    staleTime: 5 * 60_000,
    // A 401 here is the normal signed-out answer; the client redirects.
    meta: { silent: true },
  });

export const useMe = () => useQuery(meQueryOptions());
