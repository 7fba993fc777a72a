import { queryOptions, useQuery } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "@/lib/api/client";
import { queryKeys } from "@/lib/query-keys";

/** The latest deliveries of a webhook, newest first. */
export const listWebhookDeliveries = (id: string, signal?: AbortSignal) =>
  unwrap(api.GET("/api/v1/webhooks/{id}/deliveries", { params: { path: { id }, query: { limit: 25 } }, signal }));

export const webhookDeliveriesQueryOptions = (id: string) =>
  queryOptions({
    queryKey: queryKeys.webhooks.deliveries(id),
    queryFn: async ({ signal, client }) => {
      const page = await listWebhookDeliveries(id, signal);
      // The list's "last delivery" badge follows what the log shows.
      const newest = page.items[0];
      if (newest) {
        client.setQueryData<Schemas["WebhookList"]>(queryKeys.webhooks.list, (list) =>
          list ? { ...list, items: list.items.map((w) => (w.id === id ? { ...w, last_delivery: newest } : w)) } : list,
        );
      }
      return page;
    },
    staleTime: 0,
    // While one is queued or retrying, follow it to its outcome.
    refetchInterval: (q) => (q.state.data?.items.some((d) => d.status === "pending" || d.status === "retrying") ? 1500 : false),
  });

export const useWebhookDeliveries = (id: string, enabled: boolean) => useQuery({ ...webhookDeliveriesQueryOptions(id), enabled });
