import { useMutation, useQueryClient } from "@tanstack/react-query";
import { toast } from "sonner";
import { api, unwrap } from "@/lib/api/client";
import { formatBytes, plural } from "@/lib/format";
import { queryKeys } from "@/lib/query-keys";

/** Runs the retention policy now and answers with what it removed (409 while a run is in progress). */
export const runRetention = () => unwrap(api.POST("/api/v1/storage/retention-run"));

export function useRunRetention() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: runRetention,
    onSuccess: (r) => {
      if (r.retention_days == null) toast.info("Retention is off: nothing was removed");
      else {
        toast.success(`Removed ${plural(r.deleted_count, "file")}, freed ${formatBytes(r.freed_bytes)}`, {
          description: r.failed_count > 0 ? `${plural(r.failed_count, "file")} could not be removed; the next run tries again.` : undefined,
        });
      }
      void qc.invalidateQueries({ queryKey: queryKeys.storage });
      void qc.invalidateQueries({ queryKey: queryKeys.files.all });
    },
  });
}
