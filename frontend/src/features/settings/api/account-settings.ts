import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "@/lib/api/client";
import { queryKeys } from "@/lib/query-keys";

export const getAccountSettings = () => unwrap(api.GET("/api/v1/settings/accounts"));

export const accountSettingsQueryOptions = () => queryOptions({ queryKey: queryKeys.settings.accounts, queryFn: getAccountSettings });

export const useAccountSettings = () => useQuery(accountSettingsQueryOptions());

export const updateAccountSettings = (body: Schemas["AccountSettingsUpdate"]) => unwrap(api.PUT("/api/v1/settings/accounts", { body }));

export function useUpdateAccountSettings() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: updateAccountSettings,
    meta: { handlesErrors: true },
    onSuccess: (s) => {
      qc.setQueryData(queryKeys.settings.accounts, s);
      // The login page's "forgot password" and the Add user dialog follow e-mail.
      void qc.invalidateQueries({ queryKey: queryKeys.providers });
    },
  });
}

export const useTestEmail = () =>
  useMutation({ mutationFn: () => unwrap(api.POST("/api/v1/settings/accounts/test-email")), meta: { handlesErrors: true } });
