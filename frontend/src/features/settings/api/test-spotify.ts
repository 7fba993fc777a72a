import { useMutation } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "@/lib/api/client";

/** Tries the given credentials (or the stored ones for fields left out); saves nothing. */
export const testSpotify = (body: Schemas["SpotifyTestRequest"]) => unwrap(api.POST("/api/v1/settings/platforms/spotify/test", { body }));

export const useTestSpotify = () => useMutation({ mutationFn: testSpotify, meta: { handlesErrors: true } });
