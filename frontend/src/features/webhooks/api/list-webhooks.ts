import { queryOptions, useQuery } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import { queryKeys } from "@/lib/query-keys";

/** Every webhook with its last delivery (a page of 200 is all an installation has). */
export const listWebhooks = () => unwrap(api.GET("/api/v1/webhooks", { params: { query: { limit: 200 } } }));

export const webhooksQueryOptions = () =>
  queryOptions({
    queryKey: queryKeys.webhooks.list,
    queryFn: listWebhooks,
    select: (d) => d.items,
    // A delivery in flight changes the last-delivery badge; look again until it settles.
    refetchInterval: (q) => (q.state.data?.items.some((w) => w.last_delivery && ["pending", "retrying"].includes(w.last_delivery.status)) ? 3000 : false),
  });

export const useWebhooks = () => useQuery(webhooksQueryOptions());
