import { infiniteQueryOptions, useInfiniteQuery } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import { queryKeys } from "@/lib/query-keys";

/** What the next retention run removes (everyone's files, for admins), oldest first, with totals. */
export const previewRetention = (cursor: string | null, signal?: AbortSignal) =>
  unwrap(api.GET("/api/v1/storage/retention-preview", { params: { query: { limit: 25, cursor: cursor ?? undefined } }, signal }));

export const retentionPreviewQueryOptions = () =>
  infiniteQueryOptions({
    queryKey: queryKeys.retentionPreview,
    queryFn: ({ pageParam, signal }) => previewRetention(pageParam, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });

export const useRetentionPreview = () => useInfiniteQuery(retentionPreviewQueryOptions());
