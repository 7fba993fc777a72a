import { Badge, type BadgeVariant } from "@/components/ui/badge";
import type { LogLevel } from "@/features/logs/utils/log-filters";

const variants: Record<LogLevel, BadgeVariant> = { debug: "outline", info: "secondary", warn: "warning", error: "destructive" };

export function LogLevelBadge({ level }: { level: LogLevel }) {
  return (
    <Badge variant={variants[level]} className="w-12 justify-center uppercase">
      {level}
    </Badge>
  );
}
