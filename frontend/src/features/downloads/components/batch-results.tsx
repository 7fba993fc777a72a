import { CircleAlertIcon, CircleCheckIcon, Loader2Icon } from "lucide-react";
import { Link } from "wouter";
import { FixLink, fixOf, type ProblemFix } from "@/components/fix-link";
import type { Schemas } from "@/lib/api/client";
import { ApiError } from "@/lib/api/problem";

/** One pasted link's fate: waiting its turn, queued, or refused and why. */
export type BatchResult =
  | { url: string; state: "pending" }
  | { url: string; state: "queued"; download: Schemas["Download"] }
  | { url: string; state: "failed"; title: string; detail?: string; fix?: ProblemFix | null };

/** What a failed submission says: the problem's title, and its detail and field errors. */
export function failureOf(url: string, err: unknown): BatchResult {
  if (err instanceof ApiError) {
    const p = err.problem;
    const fields = err.fieldErrors.map((f) => f.message);
    return { url, state: "failed", title: p.title, detail: [p.detail, ...fields].filter(Boolean).join(" — ") || undefined, fix: fixOf(p) };
  }
  if (err instanceof TypeError) return { url, state: "failed", title: "Could not reach the server", detail: err.message };
  return { url, state: "failed", title: "Something went wrong", detail: err instanceof Error ? err.message : String(err) };
}

/** The rows of a multi-link submission, one per link, in the order pasted. */
export function BatchResults({ results, hrefFor, isAdmin = false }: { results: BatchResult[]; hrefFor: (id: string) => string; isAdmin?: boolean }) {
  const queued = results.filter((r) => r.state === "queued").length;
  const pending = results.some((r) => r.state === "pending");
  return (
    <section aria-label="Results" className="grid gap-1 rounded-lg border p-2" data-testid="batch-results">
      <p className="px-1 text-sm font-medium" role="status">
        {pending ? `Sending ${results.length} links…` : `${queued} of ${results.length} links queued`}
      </p>
      <ul className="divide-y">
        {results.map((r) => (
          <li key={r.url} className="grid grid-cols-[1.25rem_1fr] items-start gap-2 px-1 py-1.5 text-sm" data-testid="batch-result" data-state={r.state}>
            {r.state === "pending" ? (
              <Loader2Icon className="mt-0.5 size-4 animate-spin text-muted-foreground" aria-label="Sending" />
            ) : r.state === "queued" ? (
              <CircleCheckIcon className="mt-0.5 size-4 text-success" aria-label="Queued" />
            ) : (
              <CircleAlertIcon className="mt-0.5 size-4 text-destructive" aria-label="Failed" />
            )}
            <div className="grid min-w-0 gap-0.5">
              <span className="truncate font-mono text-xs text-muted-foreground">{r.url}</span>
              {r.state === "queued" && (
                <Link href={hrefFor(r.download.id)} className="truncate text-primary hover:underline">
                  {r.download.title ?? "Queued: open the download"}
                </Link>
              )}
              {r.state === "failed" && (
                <p className="text-destructive">
                  <span className="font-medium">{r.title}</span>
                  {r.detail && <span>: {r.detail}</span>}
                </p>
              )}
              {r.state === "failed" && <FixLink fix={r.fix ?? null} isAdmin={isAdmin} />}
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}
