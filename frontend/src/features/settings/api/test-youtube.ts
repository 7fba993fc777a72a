import { useMutation } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";

/**
 * A public video that has been on YouTube since 2005 ("Me at the zoo"):
 * if it cannot be read, the problem is this server's access to YouTube.
 */
export const youtubeTestURL = "https://www.youtube.com/watch?v=jNQXAC9IVRw";

/** Asks the server to look at the known-good video (a probe: nothing is downloaded). */
export const testYoutube = () => unwrap(api.POST("/api/v1/downloads/probe", { body: { url: youtubeTestURL } }));

export const useTestYoutube = () => useMutation({ mutationFn: testYoutube, meta: { handlesErrors: true } });
