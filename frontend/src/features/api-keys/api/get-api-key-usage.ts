import { queryOptions, useQuery } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import { queryKeys } from "@/lib/query-keys";

const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/** The last `days` UTC days, today included (the API counts in UTC days). */
export function usageRange(days: number, now = new Date()) {
  const to = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const from = new Date(to.getTime() - (days - 1) * 86_400_000);
  return { from: isoDay(from), to: isoDay(to) };
}

export const getApiKeyUsage = (id: string, days: number) =>
  unwrap(api.GET("/api/v1/api-keys/{id}/usage", { params: { path: { id }, query: usageRange(days) } }));

export const apiKeyUsageQueryOptions = (id: string, days: number) =>
  queryOptions({ queryKey: queryKeys.apiKeys.usage(id, days), queryFn: () => getApiKeyUsage(id, days), staleTime: 5_000 });

export const useApiKeyUsage = (id: string | null, days: number) =>
  useQuery({
    ...apiKeyUsageQueryOptions(id ?? "", days),
    enabled: !!id,
    // Another period of the same key: keep the chart up while it loads (never another key's).
    placeholderData: (prev, prevQuery) => (prevQuery?.queryKey[2] === id ? prev : undefined),
  });
