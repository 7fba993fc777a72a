import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, type Schemas, unwrap } from "@/lib/api/client";
import { queryKeys } from "@/lib/query-keys";

type Body = Schemas["YtdlpRequest"];

/** Asks every node to look for the newest release (POST /system/ytdlp/check). */
export const checkYtdlp = (body: Body = {}) => unwrap(api.POST("/api/v1/system/ytdlp/check", { body }));
/** Asks every node to install a release (POST /system/ytdlp/update). */
export const updateYtdlp = (body: Body = {}) => unwrap(api.POST("/api/v1/system/ytdlp/update", { body }));
/** Asks every node with a previous yt-dlp to go back to it (POST /system/ytdlp/rollback). */
export const rollbackYtdlp = (body: Body = {}) => unwrap(api.POST("/api/v1/system/ytdlp/rollback", { body }));

const calls = { check: checkYtdlp, update: updateYtdlp, rollback: rollbackYtdlp };

/** A check, update or rollback sent to the nodes; the view then follows their progress. */
export function useDispatchYtdlp(action: keyof typeof calls) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body?: Body) => calls[action](body),
    onSuccess: () => qc.invalidateQueries({ queryKey: queryKeys.ytdlp }),
  });
}
