import { queryOptions, useQuery } from "@tanstack/react-query";
import { api, unwrapOptional } from "@/lib/api/client";
import { queryKeys } from "@/lib/query-keys";

/** The log lines about one download (admins only; null while the server has no /logs). */
export const listDownloadLogs = (downloadId: string) =>
  unwrapOptional(api.GET("/api/v1/logs", { params: { query: { download_id: downloadId, limit: 200 } } }));

export const downloadLogsQueryOptions = (downloadId: string) =>
  queryOptions({ queryKey: queryKeys.logs.forDownload(downloadId), queryFn: () => listDownloadLogs(downloadId), meta: { silent: true } });

export const useDownloadLogs = (downloadId: string, enabled: boolean) =>
  useQuery({ ...downloadLogsQueryOptions(downloadId), enabled });
