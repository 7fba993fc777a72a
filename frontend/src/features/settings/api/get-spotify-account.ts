import { queryOptions, useQuery } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import { queryKeys } from "@/lib/query-keys";

/** The connected Spotify account (or connected: false) and the redirect URI to register with the app. */
export const getSpotifyAccount = () => unwrap(api.GET("/api/v1/settings/platforms/spotify/account"));

export const spotifyAccountQueryOptions = () => queryOptions({ queryKey: queryKeys.settings.spotifyAccount, queryFn: getSpotifyAccount });

export const useSpotifyAccount = () => useQuery(spotifyAccountQueryOptions());
