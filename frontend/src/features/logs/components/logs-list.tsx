import { useQueryClient } from "@tanstack/react-query";
import { RadioIcon, ScrollTextIcon } from "lucide-react";
import { useCallback, useEffect, useMemo, useReducer } from "react";
import { Button } from "@/components/ui/button";
import { Card, CardContent } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { Label } from "@/components/ui/label";
import { Skeleton } from "@/components/ui/skeleton";
import { Switch } from "@/components/ui/switch";
import { queryKeys } from "@/lib/query-keys";
import { cn } from "@/lib/utils";
import { useLogs } from "@/features/logs/api/list-logs";
import { useLogTail } from "@/features/logs/api/stream-logs";
import { LogRow } from "@/features/logs/components/log-row";
import { type LogEntry, type LogsParams, matchesLogParams } from "@/features/logs/utils/log-filters";
import { initialTail, tailReducer } from "@/features/logs/utils/tail-reducer";

const tailText = { off: "Live tail is off", connecting: "Connecting…", live: "Live", reconnecting: "Reconnecting…" };

/**
 * The records for these parameters, newest first, with "Load older"; with
 * the live tail on, new records that match appear on top as they are
 * written (at most TAIL_LIMIT are kept in memory).
 */
export function LogsList({
  params,
  live,
  onLiveChange,
  filtered,
  userLabel,
}: {
  params: LogsParams;
  live: boolean;
  onLiveChange: (on: boolean) => void;
  filtered: boolean;
  userLabel: (id: string) => string | undefined;
}) {
  const qc = useQueryClient();
  const q = useLogs(params);
  const [tail, dispatch] = useReducer(tailReducer, undefined, () => initialTail());

  // New filters: the tail held records picked by the old ones.
  useEffect(() => dispatch({ type: "clear" }), [params]);

  const onEntry = useCallback((e: LogEntry) => {
    if (matchesLogParams(e, params)) dispatch({ type: "append", entry: e });
  }, [params]);
  const onMissed = useCallback(() => void qc.invalidateQueries({ queryKey: queryKeys.logs.list(params) }), [qc, params]);
  const status = useLogTail(live, onEntry, onMissed);

  const listed = useMemo(() => q.data?.pages.flatMap((p) => p.items) ?? [], [q.data]);
  const rows = useMemo(() => {
    const seen = new Set(tail.entries.map((e) => e.id));
    return [...tail.entries.map((e) => ({ e, live: true })), ...listed.filter((e) => !seen.has(e.id)).map((e) => ({ e, live: false }))];
  }, [tail.entries, listed]);

  return (
    <Card className="overflow-hidden">
      <div className="flex flex-wrap items-center justify-between gap-2 border-b px-3 py-2">
        <div className="flex items-center gap-2">
          <Switch id="logs-live" checked={live} onCheckedChange={onLiveChange} />
          <Label htmlFor="logs-live">Live tail</Label>
        </div>
        <p className="flex items-center gap-2 text-xs text-muted-foreground">
          <RadioIcon className={cn("size-4", status === "live" && "text-success")} aria-hidden />
          <span role="status" data-testid="tail-status" data-status={status}>
            {tailText[status]}
          </span>
          {/* Not announced: a busy server would read out every record. */}
          {tail.entries.length > 0 && <span>· {tail.entries.length} new</span>}
          {tail.dropped > 0 && <span>({tail.dropped} older dropped from the live view)</span>}
        </p>
      </div>
      <CardContent className="p-0 sm:p-0">
        {q.isPending ? (
          <div className="grid gap-2 p-3" aria-busy="true" aria-label="Loading logs">
            {[0, 1, 2, 3, 4, 5].map((i) => (
              <Skeleton key={i} className="h-8" />
            ))}
          </div>
        ) : rows.length === 0 ? (
          <EmptyState icon={ScrollTextIcon} title={filtered ? "No records match" : "No log records yet"} className="m-3">
            {filtered ? "Try other filters or a longer time range." : live ? "New records appear here as they are written." : "Turn on the live tail to watch records arrive."}
          </EmptyState>
        ) : (
          <ul className="divide-y" aria-label="Log records" data-testid="logs-list">
            {rows.map(({ e, live: isLive }) => (
              <LogRow key={e.id} entry={e} userLabel={userLabel} live={isLive} />
            ))}
          </ul>
        )}
        {q.hasNextPage && (
          <div className="flex justify-center border-t py-3">
            <Button variant="outline" onClick={() => q.fetchNextPage()} disabled={q.isFetchingNextPage}>
              {q.isFetchingNextPage ? "Loading…" : "Load older"}
            </Button>
          </div>
        )}
      </CardContent>
    </Card>
  );
}
