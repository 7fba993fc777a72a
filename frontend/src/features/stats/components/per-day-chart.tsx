import { BarChart3Icon } from "lucide-react";
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { Skeleton } from "@/components/ui/skeleton";
import { useStats } from "@/features/stats/api/get-stats";

const series = [
  { key: "youtube", name: "YouTube", color: "var(--chart-1)" },
  { key: "spotify", name: "Spotify", color: "var(--chart-2)" },
  { key: "instagram", name: "Instagram", color: "var(--chart-3)" },
  { key: "generic", name: "Other", color: "var(--chart-4)" },
] as const;

/** Completed downloads per day over 30 days, stacked by platform. */
export function PerDayChart() {
  const { data, isPending } = useStats();
  const rows = data?.per_day.map((d) => ({ date: d.date.slice(5), ...d.by_platform, failed: d.failed })) ?? [];
  const total = rows.reduce((n, r) => n + r.youtube + r.spotify + r.instagram + r.generic, 0);
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
          <figure className="h-64" aria-label={`Bar chart: ${total} downloads completed in the last 30 days`}>
            <ResponsiveContainer width="100%" height="100%">
              <BarChart data={rows} margin={{ top: 4, right: 4, left: -20, bottom: 0 }}>
                <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" vertical={false} />
                <XAxis dataKey="date" tick={{ fontSize: 11, fill: "var(--muted-foreground)" }} interval="preserveStartEnd" minTickGap={16} />
                <YAxis allowDecimals={false} tick={{ fontSize: 11, fill: "var(--muted-foreground)" }} />
                <Tooltip
                  contentStyle={{ background: "var(--popover)", border: "1px solid var(--border)", borderRadius: 8, color: "var(--popover-foreground)" }}
                  cursor={{ fill: "var(--muted)" }}
                />
                <Legend wrapperStyle={{ fontSize: 12 }} />
                {series.map((s) => (
                  <Bar key={s.key} dataKey={s.key} name={s.name} stackId="p" fill={s.color} isAnimationActive={false} />
                ))}
              </BarChart>
            </ResponsiveContainer>
          </figure>
        )}
      </CardContent>
    </Card>
  );
}
