import { PageHeader } from "@/components/layout/page-header";
import { useDocumentTitle } from "@/lib/use-document-title";
import { useSearchState } from "@/lib/use-search-state";
import { useMe } from "@/features/auth/api/get-me";
import { DownloadDetailSheet } from "@/features/downloads/components/download-detail-sheet";
import { DownloadsList } from "@/features/downloads/components/downloads-list";
import { DownloadsToolbar } from "@/features/downloads/components/downloads-toolbar";
import { allowedFilters, defaultFilters } from "@/features/downloads/utils/filters";
import { NewDownloadForm } from "@/features/downloads/components/new-download-form";
import { useOpenDownload } from "@/features/downloads/hooks/use-open-download";

export default function DownloadsPage() {
  useDocumentTitle("Downloads");
  const { data: me } = useMe();
  const [filters, setFilters] = useSearchState(defaultFilters, allowedFilters);
  const { openId, open, close } = useOpenDownload();
  return (
    <>
      <PageHeader title="Downloads" description="Paste a link to download it; progress updates live." />
      <div className="grid gap-4">
        <NewDownloadForm isAdmin={me?.role === "admin"} />
        <DownloadsToolbar value={filters} onChange={setFilters} />
        <DownloadsList filters={filters} onOpen={open} />
      </div>
      <DownloadDetailSheet id={openId} isAdmin={me?.role === "admin"} onClose={close} />
    </>
  );
}
