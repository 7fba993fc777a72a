import { ActivityIcon, CheckCircle2Icon, ClockIcon, PercentIcon } from "lucide-react";
import { StatCard } from "@/components/ui/stat-card";
import { formatPercent } from "@/lib/format";
import { useStats } from "@/features/stats/api/get-stats";

/** Active, queued, completed today and success rate. */
export function StatCards() {
  const { data, isPending } = useStats();
  const today = data?.per_day.at(-1);
  const none = "—";
  return (
    <>
      <StatCard label="Active" icon={ActivityIcon} loading={isPending} value={data?.active_now ?? none} hint={data ? "running now" : "statistics unavailable"} />
      <StatCard label="Queued" icon={ClockIcon} loading={isPending} value={data?.queued_now ?? none} hint={data ? "waiting for a worker" : undefined} />
      <StatCard
        label="Completed today"
        icon={CheckCircle2Icon}
        loading={isPending}
        value={today?.completed ?? none}
        hint={today ? `${today.failed} failed today` : undefined}
      />
      <StatCard
        label="Success rate"
        icon={PercentIcon}
        loading={isPending}
        value={data ? formatPercent(data.success_rate) : none}
        hint={data ? "last 30 days" : undefined}
      />
    </>
  );
}
