import { queryOptions, useQuery } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import { queryKeys } from "@/lib/query-keys";

/** Your subscriptions (an admin's: everyone's), oldest first. */
export const listSubscriptions = () => unwrap(api.GET("/api/v1/subscriptions"));

export const subscriptionsQueryOptions = () =>
  queryOptions({
    queryKey: queryKeys.subscriptions.list,
    queryFn: listSubscriptions,
    select: (d) => d.items,
    // Checks run in the background; the event stream brings their results
    // (subscription.updated / .checked / .deleted, applied by
    // lib/sse/apply-event). This slow look is only a safety net.
    refetchInterval: 60_000,
  });

export const useSubscriptions = () => useQuery(subscriptionsQueryOptions());
