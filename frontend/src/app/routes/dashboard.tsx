import { Link } from "wouter";
import { PageHeader } from "@/components/layout/page-header";
import { useDocumentTitle } from "@/lib/use-document-title";
import { useMe } from "@/features/auth/api/get-me";
import { DownloadDetailSheet } from "@/features/downloads/components/download-detail-sheet";
import { DownloadsList } from "@/features/downloads/components/downloads-list";
import { defaultFilters } from "@/features/downloads/utils/filters";
import { NewDownloadForm } from "@/features/downloads/components/new-download-form";
import { RecentFailures } from "@/features/downloads/components/recent-failures";
import { useOpenDownload } from "@/features/downloads/hooks/use-open-download";
import { StorageStatCard } from "@/features/files/components/storage-meter";
import { PerDayChart } from "@/features/stats/components/per-day-chart";
import { StatCards } from "@/features/stats/components/stat-cards";

/**
 * The home page: the paste box first, your downloads live under it, then
 * the figures. The first thing a new user does is the first thing they see.
 */
export default function DashboardPage() {
  useDocumentTitle("Dashboard");
  const { data: me } = useMe();
  const { openId, open, close } = useOpenDownload();
  return (
    <>
      <PageHeader title="Dashboard" description="Paste a link to download it; your downloads update live below." />
      <div className="grid gap-4">
        <NewDownloadForm isAdmin={me?.role === "admin"} />
        <section aria-labelledby="dashboard-downloads" className="grid gap-2">
          <div className="flex items-baseline justify-between gap-2">
            <h2 id="dashboard-downloads" className="text-base font-semibold">
              Your downloads
            </h2>
            <Link href="/downloads" className="text-sm text-primary hover:underline">
              All downloads and filters
            </Link>
          </div>
          <DownloadsList filters={defaultFilters} onOpen={open} />
        </section>
        <section aria-label="Figures" className="grid grid-cols-2 gap-3 md:grid-cols-3 xl:grid-cols-5">
          <StatCards />
          <StorageStatCard />
        </section>
        <div className="grid gap-4 xl:grid-cols-[2fr_3fr]">
          <RecentFailures />
          <PerDayChart />
        </div>
      </div>
      <DownloadDetailSheet id={openId} isAdmin={me?.role === "admin"} onClose={close} />
    </>
  );
}
