import { queryOptions, useQuery } from "@tanstack/react-query";
import { api, type Schemas, unwrap } from "@/lib/api/client";
import { queryKeys } from "@/lib/query-keys";

export const getYtdlp = () => unwrap(api.GET("/api/v1/system/ytdlp"));

/** Whether a node is still working on a check, update or rollback. */
export const busy = (s: Schemas["YtdlpStatus"] | undefined) =>
  !!s?.nodes.some((n) => n.operation?.status === "queued" || n.operation?.status === "running");

export const ytdlpQueryOptions = () =>
  queryOptions({
    queryKey: queryKeys.ytdlp,
    queryFn: getYtdlp,
    // Every second while a node works (progress), else now and then.
    refetchInterval: (q) => (busy(q.state.data) ? 1000 : 60_000),
  });

/** Every node's yt-dlp (admins only). */
export const useYtdlp = () => useQuery(ytdlpQueryOptions());
