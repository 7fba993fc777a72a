import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "@/lib/api/client";
import { queryKeys } from "@/lib/query-keys";

export type NewPerson = { email: string; name: string; role: Schemas["Role"]; mode: "password" | "invite"; send_email: boolean };

export const createUser = (p: NewPerson) =>
  unwrap(api.POST("/api/v1/users", { body: { email: p.email, name: p.name, role: p.role } }));

export const createInvitation = (p: NewPerson) =>
  unwrap(api.POST("/api/v1/invitations", { body: { email: p.email, name: p.name, role: p.role, send_email: p.send_email } }));

export const createResetLink = (id: string, send_email: boolean) =>
  unwrap(api.POST("/api/v1/users/{id}/password-reset", { params: { path: { id } }, body: { send_email } }));

/** What adding someone gave: a temporary password or a one-time link to pass on. */
export type AddResult = { kind: "password"; email: string; password: string | null } | { kind: "invite"; email: string; link: Schemas["OneTimeLink"] };

export function useAddPerson() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (p: NewPerson): Promise<AddResult> => {
      if (p.mode === "password") {
        const r = await createUser(p);
        return { kind: "password", email: r.user.email, password: r.temporary_password };
      }
      const r = await createInvitation(p);
      return { kind: "invite", email: r.invitation.email, link: r.link };
    },
    meta: { handlesErrors: true },
    onSuccess: () => void qc.invalidateQueries({ queryKey: queryKeys.users.all }),
  });
}

export const useResetLink = () =>
  useMutation({ mutationFn: ({ id, send }: { id: string; send: boolean }) => createResetLink(id, send) });
