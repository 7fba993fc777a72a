import { BarChart3Icon } from "lucide-react";
import { useState } from "react";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { Label } from "@/components/ui/label";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { Sheet, SheetContent, SheetDescription, SheetHeader, SheetTitle } from "@/components/ui/sheet";
import { Skeleton } from "@/components/ui/skeleton";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import type { Schemas } from "@/lib/api/client";
import { useApiKeyUsage } from "@/features/api-keys/api/get-api-key-usage";
import { ApiKeyStatus } from "@/features/api-keys/components/api-key-status";
import { statusClasses, UsageChart } from "@/features/api-keys/components/usage-chart";

const periods = [7, 30, 90] as const;

/** How much a key was used: per day by status class, and which routes it called. */
export function ApiKeyUsageSheet({ apiKey, onClose }: { apiKey: Schemas["APIKey"] | null; onClose: () => void }) {
  const [days, setDays] = useState<number>(30);
  const { data, isPending, isError } = useApiKeyUsage(apiKey?.id ?? null, days);
  const routes = Object.entries(data?.totals.by_route ?? {}).sort((a, b) => b[1] - a[1]);
  const max = routes[0]?.[1] ?? 0;
  return (
    <Sheet open={!!apiKey} onOpenChange={(o) => !o && onClose()}>
      <SheetContent>
        <SheetHeader>
          <SheetTitle>Usage of “{apiKey?.name}”</SheetTitle>
          <SheetDescription className="flex flex-wrap items-center gap-2">
            {apiKey && <ApiKeyStatus status={apiKey.status} />}
            <code>dlk_…{apiKey?.last_eight}</code> · days in UTC
          </SheetDescription>
        </SheetHeader>
        <div className="flex items-center gap-2">
          <Label htmlFor="usage-period">Period</Label>
          <Select value={String(days)} onValueChange={(v) => setDays(Number(v))}>
            <SelectTrigger id="usage-period" className="w-40">
              <SelectValue />
            </SelectTrigger>
            <SelectContent>
              {periods.map((p) => (
                <SelectItem key={p} value={String(p)}>
                  Last {p} days
                </SelectItem>
              ))}
            </SelectContent>
          </Select>
        </div>
        {isPending ? (
          <div className="grid gap-3" aria-busy="true" aria-label="Loading usage">
            <Skeleton className="h-16" />
            <Skeleton className="h-56" />
          </div>
        ) : isError || !data ? (
          <EmptyState icon={BarChart3Icon} title="Usage could not be loaded" />
        ) : (
          <div className="grid gap-5">
            <dl className="grid grid-cols-2 gap-2 sm:grid-cols-5">
              <Card className="p-3 sm:col-span-1">
                <dt className="text-xs text-muted-foreground">Requests</dt>
                <dd className="text-xl font-semibold tabular-nums" data-testid="usage-total">
                  {data.totals.total}
                </dd>
              </Card>
              {statusClasses.map((s) => (
                <Card key={s.key} className="p-3">
                  <dt className="flex items-center gap-1.5 text-xs text-muted-foreground">
                    <span className="size-2 rounded-full" style={{ background: s.color }} aria-hidden />
                    {s.key}
                  </dt>
                  <dd className="text-xl font-semibold tabular-nums">{data.totals.by_status[s.key]}</dd>
                </Card>
              ))}
            </dl>
            {data.totals.total === 0 ? (
              <EmptyState icon={BarChart3Icon} title={days === 1 ? "No requests today" : `No requests in the last ${days} days`}>
                Requests made with the key show up here within seconds.
              </EmptyState>
            ) : (
              <>
                <UsageChart days={data.days} total={data.totals.total} />
                <section className="grid gap-2">
                  <h3 className="font-medium">By route</h3>
                  <Table label="Requests by route">
                    <TableHeader>
                      <TableRow>
                        <TableHead>Route</TableHead>
                        <TableHead className="text-right">Requests</TableHead>
                      </TableRow>
                    </TableHeader>
                    <TableBody data-testid="usage-routes">
                      {routes.map(([route, n]) => (
                        <TableRow key={route}>
                          <TableCell className="min-w-0">
                            <code className="text-xs break-all">{route}</code>
                            <div className="mt-1 h-1.5 rounded-full bg-primary/70" style={{ width: `${Math.max(2, (n / max) * 100)}%` }} aria-hidden />
                          </TableCell>
                          <TableCell className="text-right tabular-nums">
                            {n}
                          </TableCell>
                        </TableRow>
                      ))}
                    </TableBody>
                  </Table>
                </section>
              </>
            )}
          </div>
        )}
      </SheetContent>
    </Sheet>
  );
}
