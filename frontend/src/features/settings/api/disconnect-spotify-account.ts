import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import { queryKeys } from "@/lib/query-keys";

/** Forgets the connected Spotify account's tokens. */
export const disconnectSpotifyAccount = () => unwrap(api.DELETE("/api/v1/settings/platforms/spotify/account"));

export function useDisconnectSpotifyAccount() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: disconnectSpotifyAccount,
    onSuccess: () => void qc.invalidateQueries({ queryKey: queryKeys.settings.spotifyAccount }),
  });
}
