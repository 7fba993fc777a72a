import { infiniteQueryOptions, useInfiniteQuery } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import { type ApiKeyListParams, queryKeys } from "@/lib/query-keys";

export const listApiKeys = (params: ApiKeyListParams, signal?: AbortSignal) =>
  unwrap(api.GET("/api/v1/api-keys", { params: { query: params }, signal }));

/** Your keys, or (admins, `all`) everyone's; newest first, revoked ones included. */
export const apiKeysQueryOptions = (all: boolean) => {
  const params: Omit<ApiKeyListParams, "cursor"> = all ? { all: true, limit: 50 } : { limit: 50 };
  return infiniteQueryOptions({
    queryKey: queryKeys.apiKeys.list(params),
    queryFn: ({ pageParam, signal }) => listApiKeys({ ...params, cursor: pageParam ?? undefined }, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
};

export const useApiKeys = (all: boolean) => useInfiniteQuery(apiKeysQueryOptions(all));
