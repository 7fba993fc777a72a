import { useMutation, useQueryClient } from "@tanstack/react-query";
import { navigate } from "wouter/use-browser-location";
import { api, unwrap } from "@/lib/api/client";

export const logout = () => unwrap(api.POST("/api/v1/auth/logout"));

export function useLogout() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: logout,
    onSettled: () => {
      qc.clear();
      navigate("/login", { replace: true });
    },
  });
}
