import { ShieldIcon } from "lucide-react";
import { Link } from "wouter";
import { Button } from "@/components/ui/button";
import { useDocumentTitle } from "@/lib/use-document-title";

/** What a non-admin sees at an admin page's address: the page exists, just not for them. */
export default function AdminsOnlyPage() {
  useDocumentTitle("Admins only");
  return (
    <div className="flex flex-col items-center gap-3 py-20 text-center">
      <ShieldIcon className="size-8 text-muted-foreground" aria-hidden />
      <h1 className="text-2xl font-semibold">Admins only</h1>
      <p className="max-w-md text-muted-foreground">This page is for administrators. Ask an admin of this Downlink if you need something changed here.</p>
      <Button asChild>
        <Link href="/">Go to the dashboard</Link>
      </Button>
    </div>
  );
}
