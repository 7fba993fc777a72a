import { type InfiniteData, useMutation, useQueryClient } from "@tanstack/react-query";
import { toast } from "sonner";
import { api, unwrap, type Schemas } from "@/lib/api/client";
import { queryKeys } from "@/lib/query-keys";

export const updateFile = (id: string, body: Schemas["UpdateFileRequest"]) =>
  unwrap(api.PATCH("/api/v1/files/{id}", { params: { path: { id } }, body }));

/** Pins or unpins a file (pinned files survive retention). */
export function useUpdateFile() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, pinned }: { id: string; pinned: boolean }) => updateFile(id, { pinned }),
    onSuccess: (file) => {
      qc.setQueriesData<InfiniteData<Schemas["FileList"]>>({ queryKey: queryKeys.files.all }, (data) =>
        data?.pages
          ? { ...data, pages: data.pages.map((p) => ({ ...p, items: p.items.map((f) => (f.id === file.id ? file : f)) })) }
          : data,
      );
      void qc.invalidateQueries({ queryKey: queryKeys.files.all });
      toast.success(file.pinned ? "Pinned: retention keeps it" : "Unpinned");
    },
  });
}
