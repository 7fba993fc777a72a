import { CheckCircle2Icon, LoaderIcon, PuzzleIcon, XCircleIcon } from "lucide-react";
import { Badge } from "@/components/ui/badge";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import type { components } from "@/lib/api/schema";
import { formatRelative } from "@/lib/format";

type Solver = components["schemas"]["YouTubeSolver"];

const statusText: Record<Solver["status"], string> = {
  ready: "ready",
  missing: "missing",
  unsupported: "unsupported",
  disabled: "turned off",
  unknown: "checking",
};

/**
 * YouTube's JavaScript challenge solver (yt-dlp's EJS) as yt-dlp itself
 * reports it: without it YouTube downloads lose formats and some fail.
 */
export function YouTubeSolverCard({ solver }: { solver: Solver }) {
  const ready = solver.status === "ready";
  const runtime = solver.runtime_name ? `${solver.runtime_name} ${solver.runtime_version}` : "none found";
  return (
    <Card>
      <CardHeader>
        <CardTitle className="flex items-center gap-2">
          <PuzzleIcon className="size-4" aria-hidden /> YouTube challenge solver
        </CardTitle>
      </CardHeader>
      <CardContent>
        <dl>
          <div className="flex flex-wrap justify-between gap-x-4 gap-y-1 py-1.5 text-sm">
            <dt className="text-muted-foreground">State</dt>
            <dd>
              {ready ? (
                <Badge variant="success">
                  <CheckCircle2Icon aria-hidden /> {statusText[solver.status]}
                </Badge>
              ) : solver.status === "unknown" ? (
                <Badge variant="secondary">
                  <LoaderIcon aria-hidden /> {statusText[solver.status]}
                </Badge>
              ) : (
                <Badge variant="destructive">
                  <XCircleIcon aria-hidden /> {statusText[solver.status]}
                </Badge>
              )}
            </dd>
          </div>
          <div className="flex flex-wrap justify-between gap-x-4 gap-y-1 py-1.5 text-sm">
            <dt className="text-muted-foreground">JavaScript runtime</dt>
            <dd className="font-medium">{runtime}</dd>
          </div>
          <div className="flex flex-wrap justify-between gap-x-4 gap-y-1 py-1.5 text-sm">
            <dt className="text-muted-foreground">Passed to yt-dlp</dt>
            <dd className="min-w-0 font-mono text-xs break-all">{solver.runtime || "—"}</dd>
          </div>
          <div className="flex flex-wrap justify-between gap-x-4 gap-y-1 py-1.5 text-sm">
            <dt className="text-muted-foreground">Challenge providers</dt>
            <dd className="font-medium">{solver.providers.length > 0 ? solver.providers.join(", ") : "none available"}</dd>
          </div>
          {solver.ejs_version && (
            <div className="flex flex-wrap justify-between gap-x-4 gap-y-1 py-1.5 text-sm">
              <dt className="text-muted-foreground">EJS scripts</dt>
              <dd className="font-medium">{solver.ejs_version}</dd>
            </div>
          )}
          {solver.status !== "unknown" && (
            <div className="flex flex-wrap justify-between gap-x-4 gap-y-1 py-1.5 text-sm">
              <dt className="text-muted-foreground">Checked</dt>
              <dd>{formatRelative(solver.checked_at)}</dd>
            </div>
          )}
        </dl>
        <p className={ready ? "mt-2 text-sm text-muted-foreground" : "mt-2 text-sm"}>{solver.message}</p>
      </CardContent>
    </Card>
  );
}
