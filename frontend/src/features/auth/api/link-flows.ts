import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import { queryKeys } from "@/lib/query-keys";

export const acceptInvitation = (body: { token: string; name?: string; password: string }) =>
  unwrap(api.POST("/api/v1/auth/invitations/accept", { body }));

export const resetPassword = (body: { token: string; password: string }) =>
  unwrap(api.POST("/api/v1/auth/password-reset", { body }));

export const forgotPassword = (email: string) => unwrap(api.POST("/api/v1/auth/forgot-password", { body: { email } }));

/** Accepting an invitation or using a reset link signs this browser in. */
export function useLinkSignIn(kind: "invite" | "reset") {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: { token: string; name?: string; password: string }) =>
      kind === "invite" ? acceptInvitation(v) : resetPassword({ token: v.token, password: v.password }),
    meta: { handlesErrors: true },
    onSuccess: (me) => {
      qc.clear();
      qc.setQueryData(queryKeys.me, me);
    },
  });
}

export const useForgotPassword = () => useMutation({ mutationFn: forgotPassword, meta: { handlesErrors: true } });
