import { queryOptions, useQuery } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import { queryKeys } from "@/lib/query-keys";

export const listSessions = () => unwrap(api.GET("/api/v1/auth/sessions"));

export const sessionsQueryOptions = () => queryOptions({ queryKey: queryKeys.sessions, queryFn: listSessions });

export const useSessions = () => useQuery(sessionsQueryOptions());
