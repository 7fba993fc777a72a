import { useMutation } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";

/** Asks the server what a URL is (title, formats, playlist size) without downloading it. */
export const probeDownload = (url: string) => unwrap(api.POST("/api/v1/downloads/probe", { body: { url } }));

export const useProbeDownload = () => useMutation({ mutationFn: probeDownload, meta: { handlesErrors: true } });
