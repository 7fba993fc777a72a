import { useMutation } from "@tanstack/react-query";
import { toast } from "sonner";
import { api, unwrap, type Schemas } from "@/lib/api/client";

export const revokeUserSessions = (id: string) =>
  unwrap(api.DELETE("/api/v1/users/{id}/sessions", { params: { path: { id } } }));

export function useRevokeUserSessions() {
  return useMutation({
    mutationFn: (user: Schemas["User"]) => revokeUserSessions(user.id),
    onSuccess: (_r, user) => toast.success(`${user.name || user.email} is signed out everywhere`, { description: "Their API keys still work; revoke those under API keys." }),
  });
}
