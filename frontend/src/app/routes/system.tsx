import { BookOpenIcon } from "lucide-react";
import { PageHeader } from "@/components/layout/page-header";
import { Button } from "@/components/ui/button";
import { useDocumentTitle } from "@/lib/use-document-title";
import { useMe } from "@/features/auth/api/get-me";
import { useSystem } from "@/features/system/api/get-system";
import { SystemOverview } from "@/features/system/components/system-overview";
import { YtdlpCard } from "@/features/ytdlp/components/ytdlp-card";

export default function SystemPage() {
  useDocumentTitle("System");
  const { data: me } = useMe();
  const { data: system } = useSystem();
  return (
    <>
      <PageHeader title="System" description="Versions, health, disk, queue and nodes.">
        <Button variant="outline" asChild>
          <a href="/swagger/" target="_blank" rel="noreferrer">
            <BookOpenIcon aria-hidden /> API docs
          </a>
        </Button>
      </PageHeader>
      <div className="grid gap-4">
        <SystemOverview />
        {me?.role === "admin" && <YtdlpCard serving={system?.node.name ?? "this node"} />}
      </div>
    </>
  );
}
