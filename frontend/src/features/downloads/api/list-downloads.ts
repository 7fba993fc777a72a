import { infiniteQueryOptions, useInfiniteQuery } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import { type DownloadListParams, queryKeys } from "@/lib/query-keys";
import { reconcilePage } from "@/lib/sse/apply-event";

export type ListParams = Omit<DownloadListParams, "cursor">;

export const listDownloads = (params: DownloadListParams, signal?: AbortSignal) =>
  unwrap(api.GET("/api/v1/downloads", { params: { query: params }, signal }));

/**
 * A cursor-paginated list; the live event stream edits its pages in place,
 * and a page answered after an event keeps what the event said.
 */
export const downloadsQueryOptions = (params: ListParams) =>
  infiniteQueryOptions({
    queryKey: queryKeys.downloads.list(params),
    queryFn: async ({ pageParam, signal, client }) =>
      reconcilePage(client, params, await listDownloads({ ...params, cursor: pageParam ?? undefined }, signal)),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });

export const useDownloads = (params: ListParams, enabled = true) =>
  useInfiniteQuery({ ...downloadsQueryOptions(params), enabled });
