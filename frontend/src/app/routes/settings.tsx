import { useMemo } from "react";
import { PageHeader } from "@/components/layout/page-header";
import { Tabs, TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs";
import { useDocumentTitle } from "@/lib/use-document-title";
import { useSearchState } from "@/lib/use-search-state";
import { OrphansCard } from "@/features/files/components/orphans-card";
import { RetentionCard } from "@/features/files/components/retention-card";
import { StorageUsageCard } from "@/features/files/components/storage-usage-card";
import { GlobalSettingsForm } from "@/features/settings/components/global-settings-form";
import { PlatformCards } from "@/features/settings/components/platform-cards";
import { useUserDirectory } from "@/features/users/api/list-users";
import { WebhooksCard } from "@/features/webhooks/components/webhooks-card";

const tabs = { general: "General", platforms: "Platforms", webhooks: "Webhooks", storage: "Storage" } as const;
type Tab = keyof typeof tabs;
const defaults = { tab: "general" as Tab };
const allowed = { tab: Object.keys(tabs) };

function WebhooksTab() {
  const users = useUserDirectory();
  const options = useMemo(() => (users.data ?? []).map((u) => ({ id: u.id, label: u.name ? `${u.name} (${u.email})` : u.email })), [users.data]);
  return <WebhooksCard users={options} />;
}

export default function SettingsPage() {
  useDocumentTitle("Settings");
  const [state, setState] = useSearchState(defaults, allowed);
  return (
    <>
      <PageHeader title="Settings" description="How Downlink behaves for everyone: limits, platforms, webhooks and storage." />
      <Tabs value={state.tab} onValueChange={(v) => setState({ tab: v as Tab })} className="grid grid-cols-1 gap-4">
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
          <GlobalSettingsForm />
        </TabsContent>
        <TabsContent value="platforms">
          <PlatformCards />
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
