import { queryOptions, useQuery } from "@tanstack/react-query";
import { api, unwrapOptional } from "@/lib/api/client";
import { queryKeys } from "@/lib/query-keys";

/** The latest move of the library to another layout (null: never moved). */
export const getLibraryRelayout = () => unwrapOptional(api.GET("/api/v1/storage/relayout"));

export const libraryRelayoutQueryOptions = () =>
  queryOptions({
    queryKey: queryKeys.settings.relayout,
    queryFn: getLibraryRelayout,
    // Polled while a move runs: it reports its progress per download.
    refetchInterval: (q) => (q.state.data?.status === "running" ? 1000 : false),
  });

export const useLibraryRelayout = () => useQuery(libraryRelayoutQueryOptions());
