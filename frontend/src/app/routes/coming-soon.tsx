import { ConstructionIcon } from "lucide-react";
import { useLocation } from "wouter";
import { PageHeader } from "@/components/layout/page-header";
import { EmptyState } from "@/components/ui/empty-state";
import { useDocumentTitle } from "@/lib/use-document-title";

const titles: Record<string, string> = { "/api-keys": "API keys", "/logs": "Logs", "/settings": "Settings", "/users": "Users" };

/** Placeholder for pages not built yet. */
export default function ComingSoonPage() {
  const [location] = useLocation();
  const title = titles[location] ?? "Coming soon";
  useDocumentTitle(title);
  return (
    <>
      <PageHeader title={title} />
      <EmptyState icon={ConstructionIcon} title="This page is on its way">
        Until then, the same things can be done through the API (see API docs).
      </EmptyState>
    </>
  );
}
