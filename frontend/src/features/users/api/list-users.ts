import { infiniteQueryOptions, queryOptions, useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import { queryKeys, type UserListParams } from "@/lib/query-keys";

export const listUsers = (params: UserListParams, signal?: AbortSignal) =>
  unwrap(api.GET("/api/v1/users", { params: { query: params }, signal }));

export type UsersParams = Omit<UserListParams, "cursor">;

/** Users, newest first, filtered; cursor-paginated. */
export const usersQueryOptions = (params: UsersParams) =>
  infiniteQueryOptions({
    queryKey: queryKeys.users.list(params),
    queryFn: ({ pageParam, signal }) => listUsers({ ...params, cursor: pageParam ?? undefined }, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });

export const useUsers = (params: UsersParams) => useInfiniteQuery(usersQueryOptions(params));

/**
 * The first 200 users, for naming people elsewhere (key owners, log actors,
 * webhook filters). Larger installations see ids past that.
 */
export const userDirectoryQueryOptions = () =>
  queryOptions({
    queryKey: queryKeys.users.list({ limit: 200 }),
    queryFn: ({ signal }) => listUsers({ limit: 200 }, signal),
    staleTime: 60_000,
    select: (page) => page.items,
  });

export const useUserDirectory = (enabled = true) => useQuery({ ...userDirectoryQueryOptions(), enabled });
