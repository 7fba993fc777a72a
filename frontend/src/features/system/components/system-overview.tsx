import { CheckCircle2Icon, CpuIcon, DatabaseIcon, HardDriveIcon, ListOrderedIcon, ServerIcon, XCircleIcon } from "lucide-react";
import type * as React from "react";
import { Badge } from "@/components/ui/badge";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { Progress } from "@/components/ui/progress";
import { Skeleton } from "@/components/ui/skeleton";
import { formatBytes, formatRelative, formatUptime } from "@/lib/format";
import { useSystem } from "@/features/system/api/get-system";
import { YouTubeSolverCard } from "@/features/system/components/youtube-solver-card";

function Row({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="flex flex-wrap justify-between gap-x-4 gap-y-1 py-1.5 text-sm">
      <dt className="text-muted-foreground">{label}</dt>
      <dd className="min-w-0 text-right font-medium break-all">{children}</dd>
    </div>
  );
}

function Ok({ ok, yes = "OK", no = "Problem" }: { ok: boolean; yes?: string; no?: string }) {
  return ok ? (
    <Badge variant="success">
      <CheckCircle2Icon aria-hidden /> {yes}
    </Badge>
  ) : (
    <Badge variant="destructive">
      <XCircleIcon aria-hidden /> {no}
    </Badge>
  );
}

export function SystemOverview() {
  const { data, isPending, isError } = useSystem();
  if (isPending) {
    return (
      <div className="grid gap-4 md:grid-cols-2">
        {[0, 1, 2, 3].map((i) => (
          <Skeleton key={i} className="h-44" />
        ))}
      </div>
    );
  }
  if (isError || !data) return <EmptyState icon={ServerIcon} title="System status is unavailable" />;
  const { disk, queue } = data;
  const usedDisk = disk.total_bytes && disk.free_bytes != null ? disk.total_bytes - disk.free_bytes : null;
  return (
    <div className="grid gap-4 md:grid-cols-2">
      <Card>
        <CardHeader>
          <CardTitle className="flex items-center gap-2">
            <CpuIcon className="size-4" aria-hidden /> Versions
          </CardTitle>
        </CardHeader>
        <CardContent>
          <dl>
            {/* Versions and paths are for admins; a user's view has them empty. */}
            <Row label="Downlink">
              {data.version || "shown to admins"} {data.commit && <span className="text-muted-foreground">({data.commit})</span>}
            </Row>
            {data.go_version && <Row label="Go">{data.go_version}</Row>}
            <Row label="yt-dlp">
              <span className="inline-flex flex-wrap items-center justify-end gap-2">
                {!data.ytdlp.found ? "not found" : data.ytdlp.version ? `${data.ytdlp.version} (${data.ytdlp.source})` : "installed"}
                {data.ytdlp.found && <Ok
                    ok={!data.ytdlp.outdated && !data.ytdlp.too_old}
                    yes="no known security issues"
                    no={data.ytdlp.too_old ? "too old" : "security fixes missing"}
                  />}
              </span>
            </Row>
            <Row label="ffmpeg">{data.ffmpeg.found ? data.ffmpeg.version || "installed" : "not found"}</Row>
            <Row label="Node">
              {data.node.name} ({data.node.role})
            </Row>
            {data.uptime_seconds != null && <Row label="Uptime">{formatUptime(data.uptime_seconds)}</Row>}
          </dl>
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle className="flex items-center gap-2">
            <DatabaseIcon className="size-4" aria-hidden /> Health
          </CardTitle>
        </CardHeader>
        <CardContent>
          <dl>
            <Row label="Ready">
              <Ok ok={data.ready} yes="ready" no="not ready" />
            </Row>
            <Row label="Database">
              <span className="inline-flex items-center gap-2">
                {data.database.driver}
                {data.database.latency_ms != null && ` · ${data.database.latency_ms.toFixed(1)} ms`}
                <Ok ok={data.database.ok} />
              </span>
            </Row>
            {[...data.problems, ...(data.warnings ?? [])].map((p) => (
              <Row key={p} label="Attention">
                {p}
              </Row>
            ))}
          </dl>
        </CardContent>
      </Card>
      {data.youtube_solver && <YouTubeSolverCard solver={data.youtube_solver} />}
      <Card>
        <CardHeader>
          <CardTitle className="flex items-center gap-2">
            <HardDriveIcon className="size-4" aria-hidden /> Disk
          </CardTitle>
        </CardHeader>
        <CardContent className="grid gap-3">
          {disk.total_bytes != null && usedDisk != null ? (
            <>
              <Progress
                value={(usedDisk / disk.total_bytes) * 100}
                aria-label="Disk used"
                indicatorClassName={disk.below_minimum ? "bg-destructive" : undefined}
              />
              <dl>
                <Row label="Free">{formatBytes(disk.free_bytes)}</Row>
                <Row label="Total">{formatBytes(disk.total_bytes)}</Row>
                <Row label="Minimum free">{formatBytes(disk.min_free_bytes)}</Row>
              </dl>
            </>
          ) : (
            <p className="text-sm text-muted-foreground">The library is on object storage.</p>
          )}
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle className="flex items-center gap-2">
            <ListOrderedIcon className="size-4" aria-hidden /> Queue
          </CardTitle>
        </CardHeader>
        <CardContent>
          <dl>
            <Row label="Queued">{queue.queued}</Row>
            <Row label="Running">{queue.running}</Row>
            {Object.entries(queue.by_queue ?? {}).map(([name, q]) => (
              <Row key={name} label={`· ${name}`}>
                {q.running} running, {q.queued} queued
              </Row>
            ))}
          </dl>
        </CardContent>
      </Card>
      <Card className="md:col-span-2">
        <CardHeader>
          <CardTitle className="flex items-center gap-2">
            <ServerIcon className="size-4" aria-hidden /> Nodes
          </CardTitle>
        </CardHeader>
        <CardContent className="overflow-x-auto">
          {data.nodes.length === 0 ? (
            <p className="text-sm text-muted-foreground">No node heartbeats yet.</p>
          ) : (
            <table className="w-full text-sm">
              <thead className="text-left text-muted-foreground">
                <tr>
                  <th scope="col" className="py-2 pr-4 font-medium">Name</th>
                  <th scope="col" className="py-2 pr-4 font-medium">Role</th>
                  <th scope="col" className="py-2 pr-4 font-medium">Jobs</th>
                  <th scope="col" className="py-2 pr-4 font-medium">Version</th>
                  <th scope="col" className="py-2 font-medium">Last seen</th>
                </tr>
              </thead>
              <tbody className="divide-y">
                {data.nodes.map((n) => (
                  <tr key={n.name}>
                    <td className="py-2 pr-4 font-medium">{n.name}</td>
                    <td className="py-2 pr-4">{n.role}</td>
                    <td className="py-2 pr-4">
                      {n.running_jobs}
                      {n.max_workers != null && ` / ${n.max_workers}`}
                    </td>
                    <td className="py-2 pr-4">{n.version ?? "—"}</td>
                    <td className="py-2">
                      <span className="inline-flex items-center gap-2">
                        {formatRelative(n.last_seen_at)}
                        {n.alive === false && <Badge variant="destructive">offline</Badge>}
                      </span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </CardContent>
      </Card>
    </div>
  );
}
