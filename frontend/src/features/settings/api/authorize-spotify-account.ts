import { useMutation } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";

/** Starts connecting a Spotify account: returns Spotify's consent page (authorization code with PKCE). */
export const authorizeSpotifyAccount = () => unwrap(api.POST("/api/v1/settings/platforms/spotify/account/authorize"));

export const useAuthorizeSpotifyAccount = () => useMutation({ mutationFn: authorizeSpotifyAccount });
