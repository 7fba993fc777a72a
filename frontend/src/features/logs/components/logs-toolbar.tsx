import { SearchIcon } from "lucide-react";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { Switch } from "@/components/ui/switch";
import { SourcePicker } from "@/features/logs/components/source-picker";
import { type LogFilters, type RangeKey, ranges, selectedSources } from "@/features/logs/utils/log-filters";

const levelLabels: Record<LogFilters["level"], string> = {
  all: "All levels",
  debug: "Debug and up",
  info: "Info and up",
  warn: "Warnings and errors",
  error: "Errors only",
};

/**
 * Text, level, sources, time range, "audit only" and "show everything" (the
 * per-request lines and queue bookkeeping hidden by default); every change
 * goes to the URL.
 */
export function LogsToolbar({ value, onChange }: { value: LogFilters; onChange: (f: LogFilters) => void }) {
  const set = <K extends keyof LogFilters>(k: K, v: LogFilters[K]) => onChange({ ...value, [k]: v });
  return (
    <div className="grid grid-cols-1 gap-2" role="search" aria-label="Filter logs">
      <div className="grid grid-cols-1 gap-2 sm:grid-cols-2 lg:grid-cols-[1fr_12rem_12rem_12rem]">
        <div className="relative">
          <Label htmlFor="logs-q" className="sr-only">
            Search logs
          </Label>
          <SearchIcon className="pointer-events-none absolute top-2.5 left-3 size-4 text-muted-foreground" aria-hidden />
          <Input id="logs-q" type="search" placeholder="Search message and attributes" className="pl-9" value={value.q} onChange={(e) => set("q", e.target.value)} />
        </div>
        <Select value={value.level} onValueChange={(v) => set("level", v as LogFilters["level"])}>
          <SelectTrigger aria-label="Level">
            <SelectValue />
          </SelectTrigger>
          <SelectContent>
            {Object.entries(levelLabels).map(([k, label]) => (
              <SelectItem key={k} value={k}>
                {label}
              </SelectItem>
            ))}
          </SelectContent>
        </Select>
        <SourcePicker value={selectedSources(value)} onChange={(s) => set("source", s.join(","))} />
        <Select value={value.range} onValueChange={(v) => set("range", v as RangeKey)}>
          <SelectTrigger aria-label="Time range">
            <SelectValue />
          </SelectTrigger>
          <SelectContent>
            {Object.entries(ranges).map(([k, r]) => (
              <SelectItem key={k} value={k}>
                {r.label}
              </SelectItem>
            ))}
          </SelectContent>
        </Select>
      </div>
      <div className="flex flex-wrap items-end gap-x-4 gap-y-2">
        {value.range === "custom" && (
          <>
            <div className="grid gap-1">
              <Label htmlFor="logs-from" className="text-xs">
                From
              </Label>
              <Input id="logs-from" type="datetime-local" className="w-auto" value={value.from} onChange={(e) => set("from", e.target.value)} />
            </div>
            <div className="grid gap-1">
              <Label htmlFor="logs-to" className="text-xs">
                Until
              </Label>
              <Input id="logs-to" type="datetime-local" className="w-auto" value={value.to} onChange={(e) => set("to", e.target.value)} />
            </div>
          </>
        )}
        <div className="flex h-9 items-center gap-2">
          <Switch id="logs-audit" checked={value.audit === "only"} onCheckedChange={(on) => set("audit", on ? "only" : "all")} />
          <Label htmlFor="logs-audit" className="font-normal">
            Audit trail only
          </Label>
        </div>
        {value.download && (
          <div className="flex h-9 items-center gap-2 text-sm" role="status">
            <span>
              One download's records (<code className="text-xs">{value.download.slice(0, 8)}…</code>)
            </span>
            <Button variant="ghost" size="sm" onClick={() => set("download", "")}>
              Show all
            </Button>
          </div>
        )}
        <div className="flex h-9 items-center gap-2">
          <Switch id="logs-everything" checked={value.everything === "on"} onCheckedChange={(on) => set("everything", on ? "on" : "off")} />
          <Label htmlFor="logs-everything" className="font-normal">
            Show everything
          </Label>
        </div>
      </div>
    </div>
  );
}
