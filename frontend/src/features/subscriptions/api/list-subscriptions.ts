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
    // A check runs in the background: look again while one is due or pending.
    refetchInterval: (q) =>
      q.state.data?.items.some((s) => s.status === "pending" || (s.next_check_at && Date.parse(s.next_check_at) < Date.now())) ? 3000 : 60_000,
  });

export const useSubscriptions = () => useQuery(subscriptionsQueryOptions());
