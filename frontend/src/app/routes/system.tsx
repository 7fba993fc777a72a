import { BookOpenIcon } from "lucide-react";
import { PageHeader } from "@/components/layout/page-header";
import { Button } from "@/components/ui/button";
import { useDocumentTitle } from "@/lib/use-document-title";
import { SystemOverview } from "@/features/system/components/system-overview";

export default function SystemPage() {
  useDocumentTitle("System");
  return (
    <>
      <PageHeader title="System" description="Versions, health, disk, queue and nodes.">
        <Button variant="outline" asChild>
          <a href="/swagger/" target="_blank" rel="noreferrer">
            <BookOpenIcon aria-hidden /> API docs
          </a>
        </Button>
      </PageHeader>
      <SystemOverview />
    </>
  );
}
