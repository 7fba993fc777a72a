import { useMemo } from "react";
import { PageHeader } from "@/components/layout/page-header";
import { Tabs, TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs";
import { useDocumentTitle } from "@/lib/use-document-title";
import { UnsavedChangesProvider, useConfirmLeave } from "@/lib/unsaved-changes";
import { useSearchState } from "@/lib/use-search-state";
import { OrphansCard } from "@/features/files/components/orphans-card";
import { RetentionCard } from "@/features/files/components/retention-card";
import { StorageUsageCard } from "@/features/files/components/storage-usage-card";
import { AccountsSettingsForm } from "@/features/settings/components/accounts-settings-form";
import { GlobalSettingsForm } from "@/features/settings/components/global-settings-form";
import { PlatformCards } from "@/features/settings/components/platform-cards";
import { useSystem } from "@/features/system/api/get-system";
import { useUserDirectory } from "@/features/users/api/list-users";
import { WebhooksCard } from "@/features/webhooks/components/webhooks-card";

const tabs = { general: "General", accounts: "Accounts", platforms: "Platforms", webhooks: "Webhooks", storage: "Storage" } as const;
type Tab = keyof typeof tabs;
const defaults = { tab: "general" as Tab, platform: "" };
const allowed = { tab: Object.keys(tabs) };

function WebhooksTab() {
  const users = useUserDirectory();
  const options = useMemo(() => (users.data ?? []).map((u) => ({ id: u.id, label: u.name ? `${u.name} (${u.email})` : u.email })), [users.data]);
  return <WebhooksCard users={options} />;
}

export default function SettingsPage() {
  return (
    <UnsavedChangesProvider>
      <SettingsTabs />
    </UnsavedChangesProvider>
  );
}

function SettingsTabs() {
  useDocumentTitle("Settings");
  const [state, setState] = useSearchState(defaults, allowed);
  const confirmLeave = useConfirmLeave();
  // "Per node" only means something when more than one node reports in.
  const multiNode = (useSystem().data?.nodes.length ?? 1) > 1;
  return (
    <>
      <PageHeader title="Settings" description="How Downlink behaves for everyone: limits, platforms, webhooks and storage." />
      <Tabs value={state.tab} onValueChange={(v) => confirmLeave() && setState({ tab: v as Tab, platform: "" })} className="grid grid-cols-1 gap-4">
        <div className="-mx-1 overflow-x-auto px-1 pb-1">
          <TabsList aria-label="Settings sections">
            {Object.entries(tabs).map(([k, label]) => (
              <TabsTrigger key={k} value={k}>
                {label}
              </TabsTrigger>
            ))}
          </TabsList>
        </div>
        <TabsContent value="general">
          <GlobalSettingsForm multiNode={multiNode} />
        </TabsContent>
        <TabsContent value="accounts">
          <AccountsSettingsForm />
        </TabsContent>
        <TabsContent value="platforms">
          <PlatformCards multiNode={multiNode} />
        </TabsContent>
        <TabsContent value="webhooks">
          <WebhooksTab />
        </TabsContent>
        <TabsContent value="storage" className="grid grid-cols-1 gap-4">
          <StorageUsageCard />
          <RetentionCard />
          <OrphansCard />
        </TabsContent>
      </Tabs>
    </>
  );
}
