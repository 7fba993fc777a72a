import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { Schemas } from "@/lib/api/client";

export const statusClasses = [
  { key: "2xx", name: "2xx success", color: "var(--success)" },
  { key: "3xx", name: "3xx redirect", color: "var(--chart-4)" },
  { key: "4xx", name: "4xx refused", color: "var(--warning)" },
  { key: "5xx", name: "5xx error", color: "var(--destructive)" },
] as const;

/** Requests per UTC day, stacked by status class. */
export function UsageChart({ days, total }: { days: Schemas["APIKeyUsageDay"][]; total: number }) {
  const rows = days.map((d) => ({ date: d.date.slice(5), ...d.by_status }));
  return (
    <figure className="h-56" aria-label={`Bar chart: ${total} requests from ${days[0]?.date ?? ""} to ${days.at(-1)?.date ?? ""}, by day and status class`} data-testid="usage-chart">
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={rows} margin={{ top: 4, right: 4, left: -20, bottom: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" vertical={false} />
          <XAxis dataKey="date" tick={{ fontSize: 11, fill: "var(--muted-foreground)" }} interval="preserveStartEnd" minTickGap={16} />
          <YAxis allowDecimals={false} tick={{ fontSize: 11, fill: "var(--muted-foreground)" }} />
          <Tooltip
            contentStyle={{ background: "var(--popover)", border: "1px solid var(--border)", borderRadius: 8, color: "var(--popover-foreground)" }}
            cursor={{ fill: "var(--muted)" }}
          />
          <Legend wrapperStyle={{ fontSize: 12 }} formatter={(v: string) => <span style={{ color: "var(--foreground)" }}>{v}</span>} />
          {statusClasses.map((s) => (
            <Bar key={s.key} dataKey={s.key} name={s.name} stackId="s" fill={s.color} isAnimationActive={false} />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </figure>
  );
}
