import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import { queryKeys } from "@/lib/query-keys";

export type ReleaseFiles = { sums: File; sig: File; file: File };

/**
 * Uploads a release's files to the node serving this page, which verifies
 * and installs them. The build goes last: the server streams it to disk
 * once it has the sums and the signature.
 */
export const installYtdlp = (files: ReleaseFiles) =>
  unwrap(
    api.POST("/api/v1/system/ytdlp/install", {
      // Typed as strings (format: binary) by openapi-typescript; sent as a form.
      body: files as unknown as { sums: string; sig: string; file: string },
      bodySerializer: () => {
        const form = new FormData();
        form.append("sums", files.sums);
        form.append("sig", files.sig);
        form.append("file", files.file);
        return form;
      },
    }),
  );

export function useInstallYtdlp() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: installYtdlp,
    meta: { handlesErrors: true },
    onSuccess: () => qc.invalidateQueries({ queryKey: queryKeys.ytdlp }),
  });
}
