import { useState } from "react";
import { PageHeader } from "@/components/layout/page-header";
import { useDocumentTitle } from "@/lib/use-document-title";
import { useSearchState } from "@/lib/use-search-state";
import { useMe } from "@/features/auth/api/get-me";
import { DownloadDetailSheet } from "@/features/downloads/components/download-detail-sheet";
import { DownloadsList } from "@/features/downloads/components/downloads-list";
import { allowedFilters, DownloadsToolbar, defaultFilters } from "@/features/downloads/components/downloads-toolbar";
import { NewDownloadForm } from "@/features/downloads/components/new-download-form";

export default function DownloadsPage() {
  useDocumentTitle("Downloads");
  const { data: me } = useMe();
  const [filters, setFilters] = useSearchState(defaultFilters, allowedFilters);
  const [openId, setOpenId] = useState<string | null>(null);
  return (
    <>
      <PageHeader title="Downloads" description="Paste a link to download it; progress updates live." />
      <div className="grid gap-4">
        <NewDownloadForm />
        <DownloadsToolbar value={filters} onChange={setFilters} />
        <DownloadsList filters={filters} onOpen={setOpenId} />
      </div>
      <DownloadDetailSheet id={openId} isAdmin={me?.role === "admin"} onClose={() => setOpenId(null)} />
    </>
  );
}
