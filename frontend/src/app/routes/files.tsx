import { useLocation, useSearch } from "wouter";
import { PageHeader } from "@/components/layout/page-header";
import { useDocumentTitle } from "@/lib/use-document-title";
import { useSearchState } from "@/lib/use-search-state";
import { FilesBrowser } from "@/features/files/components/files-browser";
import { allowedFileFilters, defaultFileFilters } from "@/features/files/components/files-toolbar";
import { StorageMeter } from "@/features/files/components/storage-meter";

export default function FilesPage() {
  useDocumentTitle("Files");
  const search = useSearch();
  const [, navigate] = useLocation();
  const downloadId = new URLSearchParams(search).get("download_id");
  const [filters, setFilters] = useSearchState(defaultFileFilters, allowedFileFilters);
  return (
    <>
      <PageHeader title="Files" description="Your library: play, download, pin or delete what you downloaded." />
      <div className="grid gap-4">
        <StorageMeter />
        <FilesBrowser filters={filters} onFiltersChange={setFilters} downloadId={downloadId} onClearDownload={() => {
            const params = new URLSearchParams(search);
            params.delete("download_id");
            navigate(params.size ? `/files?${params}` : "/files", { replace: true });
          }} />
      </div>
    </>
  );
}
