import { useMutation, useQueryClient } from "@tanstack/react-query";
import { navigate } from "wouter/use-browser-location";
import { api, unwrap } from "@/lib/api/client";
import { queryKeys } from "@/lib/query-keys";

export const deleteSession = (id: string) =>
  unwrap(api.DELETE("/api/v1/auth/sessions/{id}", { params: { path: { id } } }));

export function useDeleteSession() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id }: { id: string; current: boolean }) => deleteSession(id),
    onSuccess: (_d, { current }) => {
      if (current) {
        // Ending this browser's own session is signing out.
        qc.clear();
        navigate("/login", { replace: true });
        return;
      }
      void qc.invalidateQueries({ queryKey: queryKeys.sessions });
    },
  });
}
