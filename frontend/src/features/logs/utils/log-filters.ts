import type { Schemas } from "@/lib/api/client";
import type { LogListParams } from "@/lib/query-keys";

export type LogEntry = Schemas["LogEntry"];
export type LogLevel = Schemas["LogLevel"];
export type LogSource = Schemas["LogSource"];

export const levels: LogLevel[] = ["debug", "info", "warn", "error"];
export const sources: LogSource[] = [
  "audit",
  "http",
  "auth",
  "downloads",
  "ytdlp",
  "queue",
  "webhooks",
  "system",
  "events",
  "egress",
  "files",
  "apikeys",
  "users",
  "store",
  "settings",
  "storage",
];

export const ranges = {
  all: { label: "Any time", ms: 0 },
  "15m": { label: "Last 15 minutes", ms: 15 * 60_000 },
  "1h": { label: "Last hour", ms: 3_600_000 },
  "24h": { label: "Last 24 hours", ms: 86_400_000 },
  "7d": { label: "Last 7 days", ms: 7 * 86_400_000 },
  custom: { label: "Between…", ms: 0 },
} as const;
export type RangeKey = keyof typeof ranges;

/** The filters as they live in the URL (all strings). */
export type LogFilters = {
  level: "all" | LogLevel;
  source: string; // comma list; "" for every source
  q: string;
  range: RangeKey;
  from: string; // datetime-local, for range=custom
  to: string;
  audit: "all" | "only";
  /** "on" shows routine records too (a line per request, the queue's bookkeeping). */
  everything: "off" | "on";
  /** A download's id: only its records (the failed download's "log records" link). */
  download: string;
};

/** Sources whose records below warn are routine (the server's logs.RoutineSources). */
export const routineSources: LogSource[] = ["http", "queue"];

export const defaultLogFilters: LogFilters = { level: "all", source: "", q: "", range: "all", from: "", to: "", audit: "all", everything: "off", download: "" };
export const allowedLogFilters = {
  level: ["all", ...levels],
  range: Object.keys(ranges),
  audit: ["all", "only"],
  everything: ["off", "on"],
};

export type LogsParams = Omit<LogListParams, "cursor">;

export const selectedSources = (f: LogFilters): LogSource[] =>
  f.source
    .split(",")
    .filter((s): s is LogSource => (sources as string[]).includes(s));

const localToIso = (v: string) => {
  if (!v) return undefined;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
};

/** The API query for these filters; relative ranges count back from `now`. */
export function toLogsParams(f: LogFilters, now = Date.now()): LogsParams {
  const p: LogsParams = { limit: 50 };
  if (f.level !== "all") p.level = f.level;
  const src = selectedSources(f);
  if (src.length > 0) p.source = src;
  if (f.q.trim()) p.q = f.q.trim();
  if (f.audit === "only") p.audit = true;
  if (/^[0-9a-f-]{36}$/i.test(f.download)) p.download_id = f.download;
  // Routine records are hidden unless asked for, or a source was picked on purpose.
  if (f.everything !== "on" && src.length === 0 && !p.download_id) p.hide_routine = true;
  if (f.range === "custom") {
    p.from = localToIso(f.from);
    p.to = localToIso(f.to);
    if (!p.from) delete p.from;
    if (!p.to) delete p.to;
  } else if (ranges[f.range].ms > 0) {
    p.from = new Date(now - ranges[f.range].ms).toISOString();
  }
  return p;
}

const rank: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

function attrText(v: unknown): string {
  if (v == null) return "";
  if (typeof v === "object") return Object.values(v as Record<string, unknown>).map(attrText).join(" ");
  return String(v);
}

/**
 * Would the server have returned this record for these parameters? Used on
 * live-tail records, which arrive unfiltered.
 */
export function matchesLogParams(e: LogEntry, p: LogsParams): boolean {
  if (p.level && rank[e.level] < rank[p.level]) return false;
  if (p.source && p.source.length > 0) {
    const wanted = p.source.flatMap((s) => s.split(","));
    if (!wanted.includes(e.source)) return false;
  }
  if (p.audit !== undefined && e.audit !== p.audit) return false;
  if (p.hide_routine && routineSources.includes(e.source) && rank[e.level] < rank.warn) return false;
  if (p.from && e.time < p.from) return false;
  if (p.to && e.time >= p.to) return false;
  if (p.download_id && e.download_id !== p.download_id) return false;
  if (p.user_id && e.user_id !== p.user_id && e.actor_id !== p.user_id) return false;
  if (p.request_id && e.request_id !== p.request_id) return false;
  if (p.q) {
    const hay = `${e.message} ${attrText(e.attrs)}`.toLowerCase();
    if (!hay.includes(p.q.toLowerCase())) return false;
  }
  return true;
}
