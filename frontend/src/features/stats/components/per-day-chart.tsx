import { BarChart3Icon } from "lucide-react";
import { lazy, Suspense } from "react";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { Skeleton } from "@/components/ui/skeleton";
import { useStats } from "@/features/stats/api/get-stats";
import { usePlatforms } from "@/lib/platforms";

// recharts is the SPA's largest chunk: it loads only when there are bars to
// draw, after the dashboard has rendered.
const PerDayBars = lazy(() => import("@/features/stats/components/per-day-bars"));

// The theme's chart colours, one per platform in the registry's order.
const colors = ["var(--chart-1)", "var(--chart-2)", "var(--chart-3)", "var(--chart-4)"];

/** Completed downloads per day over 30 days, stacked by platform. */
export function PerDayChart() {
  const { data, isPending } = useStats();
  const series = usePlatforms().map((p, i) => ({ key: p.name, name: p.label, color: colors[i % colors.length] }));
  const rows = data?.per_day.map((d) => ({ date: d.date.slice(5), ...d.by_platform, failed: d.failed })) ?? [];
  const total = data?.per_day.reduce((n, d) => n + Object.values(d.by_platform).reduce((a, b) => a + b, 0), 0) ?? 0;
  return (
    <Card>
      <CardHeader>
        <CardTitle>Downloads per day</CardTitle>
        <CardDescription>Completed in the last 30 days, by platform</CardDescription>
      </CardHeader>
      <CardContent>
        {isPending ? (
          <Skeleton className="h-64" />
        ) : !data ? (
          <EmptyState icon={BarChart3Icon} title="Statistics are not available yet">
            This server does not report statistics yet.
          </EmptyState>
        ) : total === 0 ? (
          <EmptyState icon={BarChart3Icon} title="No completed downloads in the last 30 days" />
        ) : (
          <figure className="h-64" role="img" aria-label={`Bar chart: ${total} downloads completed in the last 30 days`}>
            <Suspense fallback={<Skeleton className="h-full" />}>
              <PerDayBars rows={rows} series={series} />
            </Suspense>
          </figure>
        )}
      </CardContent>
    </Card>
  );
}
