import { useLocation, useSearch } from "wouter";
import { PageHeader } from "@/components/layout/page-header";
import { useDocumentTitle } from "@/lib/use-document-title";
import { FilesBrowser } from "@/features/files/components/files-browser";
import { StorageMeter } from "@/features/files/components/storage-meter";

export default function FilesPage() {
  useDocumentTitle("Files");
  const search = useSearch();
  const [, navigate] = useLocation();
  const downloadId = new URLSearchParams(search).get("download_id");
  return (
    <>
      <PageHeader title="Files" description="Your library: play, download, pin or delete what you downloaded." />
      <div className="grid gap-4">
        <StorageMeter />
        <FilesBrowser downloadId={downloadId} onClearDownload={() => navigate("/files")} />
      </div>
    </>
  );
}
