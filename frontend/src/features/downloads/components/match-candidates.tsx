import { CheckIcon } from "lucide-react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import type { Schemas } from "@/lib/api/client";
import { formatDuration } from "@/lib/format";
import { useMatchDownload } from "@/features/downloads/api/match-download";

/** For a Spotify item in needs_match: the YouTube candidates, each with "Use this". */
export function MatchCandidates({ download }: { download: Schemas["Download"] }) {
  const match = useMatchDownload();
  const candidates = download.match?.candidates ?? [];
  if (candidates.length === 0) return <p className="text-sm text-muted-foreground">No candidates were found.</p>;
  return (
    <ul className="grid gap-2" aria-label="Match candidates">
      {candidates.map((c, i) => (
        <li key={c.url} className="flex items-center gap-3 rounded-lg border p-2">
          {c.thumbnail_url ? (
            <img src={c.thumbnail_url} alt="" className="h-12 w-20 shrink-0 rounded object-cover" />
          ) : (
            <div className="h-12 w-20 shrink-0 rounded bg-muted" />
          )}
          <div className="min-w-0 flex-1">
            <a href={c.url} target="_blank" rel="noreferrer" className="block truncate text-sm font-medium hover:underline">
              {c.title}
            </a>
            <p className="flex flex-wrap gap-2 text-xs text-muted-foreground">
              {c.uploader && <span>{c.uploader}</span>}
              <span>{formatDuration(c.duration_seconds)}</span>
              <Badge variant={c.score >= (download.match?.threshold ?? 1) ? "success" : "secondary"}>score {(c.score * 100).toFixed(0)}%</Badge>
              <span>{c.source.replace("_", " ")}</span>
            </p>
          </div>
          <Button size="sm" disabled={match.isPending} onClick={() => match.mutate({ id: download.id, body: { candidate_index: i } })}>
            <CheckIcon aria-hidden /> Use this
          </Button>
        </li>
      ))}
    </ul>
  );
}
