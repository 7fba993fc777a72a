import { infiniteQueryOptions, useInfiniteQuery } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import { queryKeys } from "@/lib/query-keys";

/** Files under the library folder that the library does not know (from the last periodic check). */
export const listOrphans = (cursor: string | null, signal?: AbortSignal) =>
  unwrap(api.GET("/api/v1/storage/orphans", { params: { query: { limit: 50, cursor: cursor ?? undefined } }, signal }));

export const orphansQueryOptions = () =>
  infiniteQueryOptions({
    queryKey: queryKeys.orphans,
    queryFn: ({ pageParam, signal }) => listOrphans(pageParam, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });

export const useOrphans = () => useInfiniteQuery(orphansQueryOptions());
