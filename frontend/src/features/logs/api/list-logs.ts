import { infiniteQueryOptions, useInfiniteQuery } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import { type LogListParams, queryKeys } from "@/lib/query-keys";
import type { LogsParams } from "@/features/logs/utils/log-filters";

export const listLogs = (params: LogListParams, signal?: AbortSignal) =>
  unwrap(api.GET("/api/v1/logs", { params: { query: params }, signal }));

/** Log records, newest first; "Load older" follows the cursor. */
export const logsQueryOptions = (params: LogsParams) =>
  infiniteQueryOptions({
    queryKey: queryKeys.logs.list(params),
    queryFn: ({ pageParam, signal }) => listLogs({ ...params, cursor: pageParam ?? undefined }, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });

export const useLogs = (params: LogsParams) => useInfiniteQuery(logsQueryOptions(params));
