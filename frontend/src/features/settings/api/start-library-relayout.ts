import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import { queryKeys } from "@/lib/query-keys";

/** Moves the library's existing files to the current layout (or resumes the unfinished move). */
export const startLibraryRelayout = () => unwrap(api.POST("/api/v1/storage/relayout"));

export const useStartLibraryRelayout = () => {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: startLibraryRelayout,
    onSuccess: (op) => qc.setQueryData(queryKeys.settings.relayout, op),
  });
};
