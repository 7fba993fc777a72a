import { PageHeader } from "@/components/layout/page-header";
import { useDocumentTitle } from "@/lib/use-document-title";
import { ActiveDownloads } from "@/features/downloads/components/active-downloads";
import { RecentFailures } from "@/features/downloads/components/recent-failures";
import { StorageStatCard } from "@/features/files/components/storage-meter";
import { PerDayChart } from "@/features/stats/components/per-day-chart";
import { StatCards } from "@/features/stats/components/stat-cards";

export default function DashboardPage() {
  useDocumentTitle("Dashboard");
  return (
    <>
      <PageHeader title="Dashboard" description="What Downlink is doing now, and how it went lately." />
      <div className="grid gap-4">
        <section aria-label="Figures" className="grid grid-cols-2 gap-3 md:grid-cols-3 xl:grid-cols-5">
          <StatCards />
          <StorageStatCard />
        </section>
        <div className="grid gap-4 xl:grid-cols-[3fr_2fr]">
          <ActiveDownloads />
          <RecentFailures />
        </div>
        <PerDayChart />
      </div>
    </>
  );
}
