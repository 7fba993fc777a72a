import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, type Schemas, unwrap } from "@/lib/api/client";
import { queryKeys } from "@/lib/query-keys";

/** Sets how yt-dlp is kept current (mode and channel). */
export const updateYtdlpSettings = (body: Schemas["YtdlpSettings"]) => unwrap(api.PUT("/api/v1/system/ytdlp/settings", { body }));

export function useUpdateYtdlpSettings() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: updateYtdlpSettings,
    onSuccess: () => qc.invalidateQueries({ queryKey: queryKeys.ytdlp }),
  });
}
