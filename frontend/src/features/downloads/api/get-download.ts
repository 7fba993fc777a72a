import { queryOptions, useQuery } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import { queryKeys } from "@/lib/query-keys";
import { reconcileOne } from "@/lib/sse/apply-event";

export const getDownload = (id: string) => unwrap(api.GET("/api/v1/downloads/{id}", { params: { path: { id } } }));

export const downloadQueryOptions = (id: string) =>
  queryOptions({ queryKey: queryKeys.downloads.detail(id), queryFn: async ({ client }) => reconcileOne(client, await getDownload(id)) });

export const useDownload = (id: string | null) => useQuery({ ...downloadQueryOptions(id ?? ""), enabled: !!id });
