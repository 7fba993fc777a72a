import { infiniteQueryOptions, useInfiniteQuery } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import { type DownloadListParams, queryKeys } from "@/lib/query-keys";

export type ListParams = Omit<DownloadListParams, "cursor">;

export const listDownloads = (params: DownloadListParams, signal?: AbortSignal) =>
  unwrap(api.GET("/api/v1/downloads", { params: { query: params }, signal }));

/** A cursor-paginated list; the live event stream edits its pages in place. */
export const downloadsQueryOptions = (params: ListParams) =>
  infiniteQueryOptions({
    queryKey: queryKeys.downloads.list(params),
    queryFn: ({ pageParam, signal }) => listDownloads({ ...params, cursor: pageParam ?? undefined }, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });

export const useDownloads = (params: ListParams, enabled = true) =>
  useInfiniteQuery({ ...downloadsQueryOptions(params), enabled });
