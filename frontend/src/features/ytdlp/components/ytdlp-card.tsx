import { DownloadIcon, RefreshCwIcon, TerminalIcon, Undo2Icon } from "lucide-react";
import { useState } from "react";
import { toast } from "sonner";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Skeleton } from "@/components/ui/skeleton";
import { Table, TableBody, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import type { Schemas } from "@/lib/api/client";
import { plural } from "@/lib/format";
import { useDispatchYtdlp } from "@/features/ytdlp/api/dispatch-ytdlp";
import { busy, useYtdlp } from "@/features/ytdlp/api/get-ytdlp";
import { YtdlpNodeRow } from "@/features/ytdlp/components/ytdlp-node-row";
import { YtdlpSettings } from "@/features/ytdlp/components/ytdlp-settings";
import { YtdlpUploadDialog } from "@/features/ytdlp/components/ytdlp-upload-dialog";

/** The newest version a check found on any node (what "Update" installs). */
function newest(nodes: Schemas["YtdlpNode"][]): string | null {
  const found = nodes.filter((n) => n.update_available && n.latest?.version).map((n) => n.latest!.version!);
  return found.sort((a, b) => b.localeCompare(a, undefined, { numeric: true }))[0] ?? null;
}

function sent(what: string, d: Schemas["YtdlpDispatched"]) {
  const skipped = d.skipped.map((s) => `${s.node}: ${s.reason}`).join("; ");
  toast.success(`${what} sent to ${plural(d.nodes.length, "node")}`, { description: skipped || undefined });
}

/**
 * The managed yt-dlp on the System page (admins): per node the active
 * version, its source and age, the rollback target, the last check and the
 * last operation with its progress; the setting; and the buttons that send a
 * check, an update or a rollback to every node.
 */
export function YtdlpCard({ serving }: { serving: string }) {
  const { data, isPending, isError } = useYtdlp();
  const check = useDispatchYtdlp("check");
  const update = useDispatchYtdlp("update");
  const rollback = useDispatchYtdlp("rollback");
  const [confirm, setConfirm] = useState(false);

  if (isPending) return <Skeleton className="h-64" />;
  if (isError || !data) return null;

  const target = newest(data.nodes);
  const working = busy(data);
  const canRollBack = data.nodes.some((n) => n.alive && n.previous);

  return (
    <Card role="region" aria-labelledby="ytdlp-title">
      <CardHeader>
        <CardTitle id="ytdlp-title" className="flex items-center gap-2">
          <TerminalIcon className="size-4" aria-hidden /> yt-dlp
        </CardTitle>
        <CardDescription>
          Each node keeps its own copy, verified against yt-dlp's signing key and switched atomically; running downloads finish on
          the version they started with, and the previous version stays for a rollback.
        </CardDescription>
      </CardHeader>
      <CardContent className="grid gap-4">
        <YtdlpSettings settings={data.settings} />
        <div className="flex flex-wrap gap-2">
          <Button variant="outline" disabled={working || check.isPending} onClick={() => check.mutate({}, { onSuccess: (d) => sent("Check", d) })}>
            <RefreshCwIcon aria-hidden /> Check for updates
          </Button>
          <Button
            disabled={!target || working || update.isPending}
            onClick={() => target && update.mutate({ version: target }, { onSuccess: (d) => sent(`Update to ${target}`, d) })}
          >
            <DownloadIcon aria-hidden /> {target ? `Update to ${target}` : "Up to date"}
          </Button>
          <Button variant="outline" disabled={!canRollBack || working || rollback.isPending} onClick={() => setConfirm(true)}>
            <Undo2Icon aria-hidden /> Roll back
          </Button>
          <YtdlpUploadDialog node={serving} />
        </div>
        {data.versions_differ && (
          <Alert variant="warning" role="status">
            The nodes run different yt-dlp versions: update them all.
          </Alert>
        )}
        <Table label="yt-dlp on each node">
          <TableHeader>
            <TableRow>
              <TableHead>Node</TableHead>
              <TableHead>Active</TableHead>
              <TableHead>Rollback to</TableHead>
              <TableHead>Latest release</TableHead>
              <TableHead>Last operation</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {data.nodes.map((n) => (
              <YtdlpNodeRow key={n.node} node={n} />
            ))}
          </TableBody>
        </Table>
      </CardContent>
      <ConfirmDialog
        open={confirm}
        onOpenChange={setConfirm}
        title="Roll back yt-dlp?"
        description="Every node with a previous yt-dlp makes it active again; new downloads use it, running ones finish as they are. A second rollback undoes this."
        confirmLabel="Roll back"
        onConfirm={() => rollback.mutate({}, { onSuccess: (d) => sent("Rollback", d) })}
      />
    </Card>
  );
}
