import { Badge } from "@/components/ui/badge";
import { Progress } from "@/components/ui/progress";
import { TableCell, TableRow } from "@/components/ui/table";
import type { Schemas } from "@/lib/api/client";
import { formatBytes, formatRelative } from "@/lib/format";

/** Readiness warns past this age (the server's managed.MaxAge). */
export const maxAgeDays = 60;

const sourceLabels: Record<Schemas["YtdlpTool"]["source"], string> = { managed: "managed", system: "system", path: "DOWNLINK_YTDLP_PATH" };

const phaseLabels: Record<NonNullable<Schemas["YtdlpOperation"]["phase"]>, string> = {
  resolving: "Looking up the release",
  downloading: "Downloading",
  verifying: "Verifying",
  testing: "Testing",
  switching: "Switching",
};

function Tool({ tool }: { tool: Schemas["YtdlpTool"] }) {
  const old = tool.age_days != null && tool.age_days > maxAgeDays;
  return (
    <span className="inline-flex flex-wrap items-center gap-1.5">
      <span className="font-medium">{tool.version ?? "unknown"}</span>
      <Badge variant={tool.source === "managed" ? "default" : "secondary"}>{sourceLabels[tool.source]}</Badge>
      {tool.age_days != null && tool.age_days >= 0 && (
        <Badge variant={old ? "warning" : "outline"} title={tool.released_on ?? undefined}>
          {tool.age_days} {tool.age_days === 1 ? "day" : "days"} old
        </Badge>
      )}
      {tool.error && <span className="text-destructive">{tool.error}</span>}
    </span>
  );
}

function Operation({ op }: { op: Schemas["YtdlpOperation"] }) {
  const label = `${op.action[0]!.toUpperCase()}${op.action.slice(1)}`;
  if (op.status === "queued") return <Badge variant="secondary">{label} queued</Badge>;
  if (op.status === "running") {
    const pct = op.phase === "downloading" && op.bytes_total ? (op.bytes_done / op.bytes_total) * 100 : null;
    return (
      <div className="grid min-w-40 gap-1" role="status" aria-live="polite">
        <span>
          {label}: {op.phase ? phaseLabels[op.phase] : "starting"}
          {pct != null && ` ${formatBytes(op.bytes_done)} of ${formatBytes(op.bytes_total)}`}
        </span>
        {pct != null && <Progress value={pct} aria-label={`${label} progress`} />}
      </div>
    );
  }
  return (
    <span className="grid gap-0.5">
      <span>
        <Badge variant={op.status === "succeeded" ? "success" : "destructive"}>
          {label} {op.status === "succeeded" ? "done" : "failed"}
        </Badge>{" "}
        <span className="text-muted-foreground">{formatRelative(op.finished_at)}</span>
      </span>
      <span className={op.status === "failed" ? "text-destructive" : "text-muted-foreground"}>{op.message}</span>
    </span>
  );
}

/** One node's yt-dlp: what runs, what a rollback goes back to, what is out there, what is going on. */
export function YtdlpNodeRow({ node }: { node: Schemas["YtdlpNode"] }) {
  const l = node.latest;
  return (
    <TableRow data-testid={`ytdlp-node-${node.node}`}>
      <TableCell className="font-medium">
        {node.node} {!node.alive && <Badge variant="destructive">offline</Badge>}
      </TableCell>
      <TableCell>
        <Tool tool={node.active} />
      </TableCell>
      <TableCell>{node.previous ? <Tool tool={node.previous} /> : <span className="text-muted-foreground">—</span>}</TableCell>
      <TableCell>
        {l ? (
          <span className="grid gap-0.5">
            <span className="inline-flex flex-wrap items-center gap-1.5">
              <span className="font-medium">{l.version ?? "—"}</span>
              {node.update_available && <Badge variant="warning">update available</Badge>}
            </span>
            <span className={l.ok ? "text-muted-foreground" : "text-destructive"}>
              checked {formatRelative(l.checked_at)}
              {l.error && `: ${l.error}`}
            </span>
          </span>
        ) : (
          <span className="text-muted-foreground">not checked yet</span>
        )}
      </TableCell>
      <TableCell>{node.operation ? <Operation op={node.operation} /> : <span className="text-muted-foreground">—</span>}</TableCell>
    </TableRow>
  );
}
