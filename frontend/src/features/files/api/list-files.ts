import { infiniteQueryOptions, useInfiniteQuery } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import { type FileListParams, queryKeys } from "@/lib/query-keys";

export type ListParams = Omit<FileListParams, "cursor">;

export const listFiles = (params: FileListParams, signal?: AbortSignal) =>
  unwrap(api.GET("/api/v1/files", { params: { query: params }, signal }));

export const filesQueryOptions = (params: ListParams) =>
  infiniteQueryOptions({
    queryKey: queryKeys.files.list(params),
    queryFn: ({ pageParam, signal }) => listFiles({ ...params, cursor: pageParam ?? undefined }, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });

export const useFiles = (params: ListParams) => useInfiniteQuery(filesQueryOptions(params));
