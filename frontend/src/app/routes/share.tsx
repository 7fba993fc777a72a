import { useRef, useState } from "react";
import { Link, useLocation, useSearch } from "wouter";
import { Button } from "@/components/ui/button";
import { PageHeader } from "@/components/layout/page-header";
import { problemOf } from "@/lib/api/problem";
import { extractSharedLink } from "@/lib/shared-link";
import { useDocumentTitle } from "@/lib/use-document-title";
import { randomId } from "@/lib/utils";
import { useCreateDownload } from "@/features/downloads/api/create-download";

/**
 * The Web Share Target: "Share → Downlink" on a phone opens /share?url=…&text=…&title=….
 * The page shows the link and submits it on one tap (a signed-out browser signs in first and
 * comes back here), then the home page shows the new download. It never submits by itself:
 * any web page can send a signed-in browser to /share, and a link is no consent to download.
 */
export default function SharePage() {
  useDocumentTitle("Share");
  const search = useSearch();
  const [, navigate] = useLocation();
  const q = new URLSearchParams(search);
  const link = extractSharedLink({ url: q.get("url"), text: q.get("text"), title: q.get("title") });
  const create = useCreateDownload();
  const [error, setError] = useState<string | null>(null);
  const key = useRef(randomId());

  const submit = () => {
    if (!link) return;
    setError(null);
    create
      .mutateAsync({ body: { url: link }, idempotencyKey: key.current })
      .then((d) => navigate(`/?open=${d.id}`, { replace: true }))
      .catch((err) => {
        const p = problemOf(err);
        setError(p?.detail ?? p?.title ?? "The download could not be started.");
      });
  };

  return (
    <>
      <PageHeader title="Shared link" />
      {!link ? (
        <p role="alert">
          Nothing to download: what was shared has no web link. <Link href="/">Paste a link instead.</Link>
        </p>
      ) : error ? (
        <div role="alert" className="grid gap-2">
          <p>
            Could not download <span className="font-mono break-all">{link}</span>: {error}
          </p>
          <Button asChild variant="outline" className="justify-self-start">
            <Link href="/">Back to downloads</Link>
          </Button>
        </div>
      ) : (
        <form
          className="grid gap-3"
          onSubmit={(e) => {
            e.preventDefault();
            submit();
          }}
        >
          <p>
            Download <span className="font-mono break-all">{link}</span>?
          </p>
          <div className="flex gap-2">
            <Button type="submit" autoFocus disabled={create.isPending}>
              {create.isPending ? "Sending…" : "Download"}
            </Button>
            <Button asChild variant="outline">
              <Link href="/">Cancel</Link>
            </Button>
          </div>
        </form>
      )}
    </>
  );
}
