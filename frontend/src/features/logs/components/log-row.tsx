import { ChevronRightIcon, ShieldCheckIcon } from "lucide-react";
import type * as React from "react";
import { useId, useState } from "react";
import { Badge } from "@/components/ui/badge";
import { cn } from "@/lib/utils";
import { LogLevelBadge } from "@/features/logs/components/log-level";
import type { LogEntry } from "@/features/logs/utils/log-filters";

const time = (iso: string) => {
  const d = new Date(iso);
  const sameDay = d.toDateString() === new Date().toDateString();
  const t = d.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });
  return sameDay ? t : `${d.toLocaleDateString(undefined, { month: "short", day: "numeric" })} ${t}`;
};

function value(v: unknown): string {
  if (v == null) return "—";
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

/** "GET /api/v1/files → 200 · 3 ms" for request records, whose message alone says little. */
function requestSummary(e: LogEntry): string | null {
  const a = e.attrs as Record<string, unknown>;
  if (typeof a?.method !== "string" || typeof a?.path !== "string") return null;
  const ms = typeof a.duration_ms === "number" ? ` · ${a.duration_ms < 10 ? a.duration_ms.toFixed(1) : Math.round(a.duration_ms)} ms` : "";
  return `${a.method} ${a.path}${a.status != null ? ` → ${String(a.status)}` : ""}${ms}`;
}

function Field({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="grid grid-cols-[7.5rem_1fr] gap-2 py-0.5">
      <dt className="text-muted-foreground">{label}</dt>
      <dd className="min-w-0 font-mono break-all">{children}</dd>
    </div>
  );
}

/**
 * One record; a click shows all of its attributes. Audit entries stand out
 * (a marked edge and an "Audit" badge) and always show who did what to what,
 * and from where.
 */
export function LogRow({ entry: e, userLabel, live }: { entry: LogEntry; userLabel: (id: string) => string | undefined; live?: boolean }) {
  const [open, setOpen] = useState(false);
  const detailsId = useId();
  const who = (id: string | null) => (id ? (userLabel(id) ?? id) : null);
  // A target that is a known user reads as their name.
  const targetName = e.target ? userLabel(e.target.replace(/^user:/, "")) : undefined;
  const target = e.target ? (targetName ? `user ${targetName}` : e.target) : null;
  const attrs = Object.entries(e.attrs ?? {});
  const summary = requestSummary(e);
  return (
    <li
      className={cn("border-l-4 border-l-transparent", e.audit && "border-l-primary bg-primary/5")}
      data-testid="log-row"
      data-id={e.id}
      data-audit={e.audit}
      data-level={e.level}
      data-live={live || undefined}
    >
      <button
        type="button"
        className="flex w-full flex-wrap items-center gap-x-3 gap-y-1 px-3 py-2 text-left text-sm hover:bg-muted/50 focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-ring"
        aria-expanded={open}
        aria-controls={detailsId}
        onClick={() => setOpen((o) => !o)}
      >
        <ChevronRightIcon className={cn("size-4 shrink-0 text-muted-foreground transition-transform", open && "rotate-90")} aria-hidden />
        <time dateTime={e.time} className="shrink-0 font-mono text-xs text-muted-foreground tabular-nums" title={new Date(e.time).toLocaleString()}>
          {time(e.time)}
        </time>
        <LogLevelBadge level={e.level} />
        {e.audit ? (
          <Badge>
            <ShieldCheckIcon aria-hidden /> Audit
          </Badge>
        ) : (
          <span className="w-20 shrink-0 truncate text-xs text-muted-foreground">{e.source}</span>
        )}
        <span className="min-w-0 flex-1 basis-48 truncate">
          <span className="font-medium">{e.message}</span>
          {summary && <span className="ml-2 font-mono text-xs text-muted-foreground">{summary}</span>}
        </span>
      </button>
      {e.audit && (
        <p className="flex flex-wrap gap-x-3 gap-y-0.5 px-3 pb-2 pl-10 text-xs" data-testid="audit-summary">
          <span>
            <span className="text-muted-foreground">by </span>
            {who(e.actor_id) ?? "system"}
          </span>
          {e.action && (
            <span>
              <span className="text-muted-foreground">action </span>
              <code>{e.action}</code>
            </span>
          )}
          {target && (
            <span className="break-all">
              <span className="text-muted-foreground">on </span>
              <code>{target}</code>
            </span>
          )}
          {e.ip && (
            <span>
              <span className="text-muted-foreground">from </span>
              {e.ip}
            </span>
          )}
        </p>
      )}
      <div id={detailsId} hidden={!open} className="border-t bg-muted/30 px-3 py-2 pl-10 text-xs">
        {open && (
          <dl>
            <Field label="time">{e.time}</Field>
            <Field label="source">{e.source}</Field>
            {e.request_id && <Field label="request_id">{e.request_id}</Field>}
            {e.user_id && <Field label="user">{who(e.user_id)}</Field>}
            {e.download_id && <Field label="download_id">{e.download_id}</Field>}
            {e.actor_id && <Field label="actor">{who(e.actor_id)}</Field>}
            {e.ip && <Field label="ip">{e.ip}</Field>}
            {e.target && <Field label="target">{e.target}</Field>}
            {e.action && <Field label="action">{e.action}</Field>}
            {attrs.map(([k, v]) => (
              <Field key={k} label={k}>
                {value(v)}
              </Field>
            ))}
          </dl>
        )}
      </div>
    </li>
  );
}
