import { useMemo } from "react";
import { PageHeader } from "@/components/layout/page-header";
import { useDocumentTitle } from "@/lib/use-document-title";
import { useSearchState } from "@/lib/use-search-state";
import { useMe } from "@/features/auth/api/get-me";
import { useProviders } from "@/features/auth/api/get-providers";
import { AddUserDialog } from "@/features/users/components/add-user-dialog";
import { useStorage } from "@/features/files/api/get-storage";
import { useSettings } from "@/features/settings/api/get-settings";
import type { UserUsage } from "@/features/users/components/user-row";
import { UsersList } from "@/features/users/components/users-list";
import { allowedUserFilters, defaultUserFilters, UsersToolbar } from "@/features/users/components/users-toolbar";

export default function UsersPage() {
  useDocumentTitle("Users");
  const { data: me } = useMe();
  const [filters, setFilters] = useSearchState(defaultUserFilters, allowedUserFilters);
  const storage = useStorage();
  const providers = useProviders();
  const settings = useSettings();
  const usage = useMemo(() => new Map<string, UserUsage>((storage.data?.users ?? []).map((u) => [u.user_id, u])), [storage.data]);
  if (!me) return null;
  return (
    <>
      <PageHeader title="Users" description="Everyone who can sign in: roles, access, storage quotas and sessions.">
        <AddUserDialog mailConfigured={providers.data?.password_help.email ?? false} />
      </PageHeader>
      <div className="grid grid-cols-1 gap-4">
        <UsersToolbar value={filters} onChange={setFilters} />
        <UsersList filters={filters} meId={me.user.id} usage={usage} defaultQuota={settings.data ? settings.data.default_storage_quota_bytes : undefined} />
      </div>
    </>
  );
}
