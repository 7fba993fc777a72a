import { useDeferredValue, useMemo, useState } from "react";
import { PageHeader } from "@/components/layout/page-header";
import { useDocumentTitle } from "@/lib/use-document-title";
import { useSearchState } from "@/lib/use-search-state";
import { LogsList } from "@/features/logs/components/logs-list";
import { LogsToolbar } from "@/features/logs/components/logs-toolbar";
import { allowedLogFilters, defaultLogFilters, toLogsParams } from "@/features/logs/utils/log-filters";
import { useUserDirectory } from "@/features/users/api/list-users";

export default function LogsPage() {
  useDocumentTitle("Logs");
  const [filters, setFilters] = useSearchState(defaultLogFilters, allowedLogFilters);
  const [live, setLive] = useState(false);
  // Typing in the search box stays responsive; relative ranges count back
  // from when the filters were last changed.
  const deferred = useDeferredValue(filters);
  const params = useMemo(() => toLogsParams(deferred), [deferred]);
  const users = useUserDirectory();
  const userLabel = useMemo(() => {
    const byId = new Map((users.data ?? []).map((u) => [u.id, u.name ? `${u.name} <${u.email}>` : u.email]));
    return (id: string) => byId.get(id);
  }, [users.data]);
  const filtered = JSON.stringify(filters) !== JSON.stringify(defaultLogFilters);
  return (
    <>
      <PageHeader title="Logs" description="What Downlink did and who did what (the audit trail). Secrets never appear here." />
      <div className="grid grid-cols-1 gap-4">
        <LogsToolbar value={filters} onChange={setFilters} />
        <LogsList params={params} live={live} onLiveChange={setLive} filtered={filtered} userLabel={userLabel} />
      </div>
    </>
  );
}
