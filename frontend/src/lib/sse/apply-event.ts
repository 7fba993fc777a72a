import type { InfiniteData, QueryClient, QueryKey } from "@tanstack/react-query";
import type { components } from "@/lib/api/schema";
import { type DownloadListParams, queryKeys } from "@/lib/query-keys";

type S = components["schemas"];
export type Download = S["Download"];
type DownloadPage = S["DownloadList"];
type ListData = InfiniteData<DownloadPage, string | null>;
type Subscription = S["Subscription"];
type SubscriptionList = S["SubscriptionList"];
export type EventName = S["EventType"];

const terminal = new Set(["completed", "failed", "canceled"]);

/**
 * Applies one Server-Sent Event to the TanStack Query cache. Download rows
 * are edited in place (lists and details), so live progress costs no
 * requests; anything that may have been missed (events.resync, truncated
 * data) makes the affected queries refetch.
 */
export function applyEvent(qc: QueryClient, event: string, data: unknown) {
  if (event === "events.resync") {
    resync(qc);
    return;
  }
  if (isTruncated(data)) {
    if (event.startsWith("download.")) {
      void qc.invalidateQueries({ queryKey: queryKeys.downloads.all });
    } else if (event.startsWith("file.")) {
      void qc.invalidateQueries({ queryKey: queryKeys.files.all });
    } else if (event.startsWith("log.")) {
      void qc.invalidateQueries({ queryKey: queryKeys.logs.all });
    } else if (event.startsWith("subscription.")) {
      void qc.invalidateQueries({ queryKey: queryKeys.subscriptions.all });
    }
    return;
  }
  switch (event as EventName) {
    case "download.created":
    case "download.updated": {
      const d = remember(qc, data as Download);
      if (!d) break; // deleted since
      qc.setQueryData<Download>(queryKeys.downloads.detail(d.id), (old) => newer(old, d));
      upsertInLists(qc, d);
      if (event === "download.updated" && terminal.has(d.status)) refreshSummaries(qc);
      break;
    }
    case "download.progress": {
      const p = data as S["DownloadProgressEvent"];
      // Progress never reopens a finished row: a retry says so first
      // with download.updated.
      const patch = (d: Download): Download => (terminal.has(d.status) ? d : { ...d, status: p.status, progress: p.progress });
      qc.setQueryData<Download>(queryKeys.downloads.detail(p.id), (d) => (d ? patch(d) : d));
      forEachList(qc, (params, list) => mapList(list, (d) => (d.id === p.id ? (matches(patch(d), params) ? patch(d) : null) : d)));
      break;
    }
    case "download.deleted": {
      const { id } = data as S["DownloadDeletedEvent"];
      forget(qc, id);
      qc.removeQueries({ queryKey: queryKeys.downloads.detail(id), exact: true });
      forEachList(qc, (_p, list) => mapList(list, (d) => (d.id === id ? null : d)));
      refreshSummaries(qc);
      break;
    }
    case "subscription.updated":
      upsertSubscription(qc, data as Subscription);
      break;
    case "subscription.checked":
      upsertSubscription(qc, (data as S["SubscriptionCheckedEvent"]).subscription);
      break;
    case "subscription.deleted": {
      const { id } = data as S["SubscriptionDeletedEvent"];
      qc.setQueryData<SubscriptionList>(queryKeys.subscriptions.list, (l) => (l ? { ...l, items: l.items.filter((s) => s.id !== id) } : l));
      break;
    }
    case "file.created":
    case "file.deleted":
      void qc.invalidateQueries({ queryKey: queryKeys.files.all });
      refreshSummaries(qc);
      break;
    default:
      // log.appended is read by the logs page through its own subscription.
      break;
  }
}

/**
 * Puts a subscription as the server sent it into the subscriptions list:
 * replaced where it is, added at the end (the list is oldest first) when
 * it is new. A list not loaded yet is left alone: it will be fetched.
 */
function upsertSubscription(qc: QueryClient, sub: Subscription) {
  qc.setQueryData<SubscriptionList>(queryKeys.subscriptions.list, (l) => {
    if (!l) return l;
    const i = l.items.findIndex((s) => s.id === sub.id);
    if (i < 0) return { ...l, items: [...l.items, sub] };
    // An older state arriving late (events from two checks) is ignored.
    if (l.items[i]!.updated_at > sub.updated_at) return l;
    return { ...l, items: l.items.map((s, j) => (j === i ? sub : s)) };
  });
}

/** Refetch everything the stream feeds: something may have been missed. */
export function resync(qc: QueryClient) {
  for (const key of [queryKeys.downloads.all, queryKeys.files.all, queryKeys.storage, queryKeys.stats, queryKeys.subscriptions.all]) {
    void qc.invalidateQueries({ queryKey: key });
  }
}

function refreshSummaries(qc: QueryClient) {
  void qc.invalidateQueries({ queryKey: queryKeys.stats });
  void qc.invalidateQueries({ queryKey: queryKeys.storage });
}

function isTruncated(data: unknown): data is { id: string; truncated: true } {
  return typeof data === "object" && data !== null && (data as { truncated?: unknown }).truncated === true;
}

function forEachList(qc: QueryClient, fn: (params: DownloadListParams, list: ListData) => ListData) {
  for (const [key, list] of qc.getQueriesData<ListData>({ queryKey: queryKeys.downloads.lists })) {
    if (!list?.pages) continue;
    const next = fn(paramsOf(key), list);
    if (next !== list) qc.setQueryData(key, next);
  }
}

function paramsOf(key: QueryKey): DownloadListParams {
  return (key[2] ?? {}) as DownloadListParams;
}

/** Maps every row; a null result removes the row. Returns the same object when nothing changed. */
function mapList(list: ListData, fn: (d: Download) => Download | null): ListData {
  let changed = false;
  const pages = list.pages.map((page) => {
    let pageChanged = false;
    const items: Download[] = [];
    for (const d of page.items) {
      const n = fn(d);
      if (n !== d) pageChanged = true;
      if (n) items.push(n);
    }
    if (!pageChanged) return page;
    changed = true;
    return { ...page, items };
  });
  return changed ? { ...list, pages } : list;
}

/** Does this row belong in a list asked for with these filters? */
export function matches(d: Download, p: DownloadListParams): boolean {
  if (p.parent_id) {
    if (d.parent_id !== p.parent_id) return false;
  } else if (!p.include_children && d.parent_id) return false;
  if (p.status && p.status.length > 0) {
    const wanted = p.status.flatMap((s) => s.split(","));
    if (!wanted.includes(d.status)) return false;
  }
  if (p.platform && d.platform !== p.platform) return false;
  // As the server searches (downloads.List): the trimmed text, literally,
  // in the title, the URL or the uploader, each on its own.
  const q = p.q?.trim().toLowerCase();
  if (q && ![d.title ?? "", d.url, d.uploader ?? ""].some((f) => f.toLowerCase().includes(q))) return false;
  if (p.user_id && d.user_id !== p.user_id) return false;
  return true;
}

function upsertInLists(qc: QueryClient, d: Download) {
  forEachList(qc, (params, list) => {
    const present = list.pages.some((pg) => pg.items.some((x) => x.id === d.id));
    if (present) {
      return mapList(list, (x) => {
        if (x.id !== d.id || newer(x, d) !== d) return x; // another row, or the list already holds a later state
        return matches(d, params) ? d : null;
      });
    }
    if (!matches(d, params)) return list;
    return insertSorted(list, d, params.sort ?? "-created_at") ?? list;
  });
}

// Inserts a new row where the list's sort puts it, if that is within the
// pages already loaded; otherwise the row will come with a later page.
function insertSorted(list: ListData, d: Download, sort: string): ListData | null {
  const desc = sort.startsWith("-");
  const field = sort.replace(/^-/, "") as "created_at" | "title" | "status";
  if (field !== "created_at" && list.pages.length > 0) {
    // Other orders: put it first, as people expect to see what they just added.
    const [first, ...rest] = list.pages;
    return { ...list, pages: [{ ...first, items: [d, ...first.items] }, ...rest] };
  }
  const before = (a: Download, b: Download) => (desc ? a.created_at > b.created_at : a.created_at < b.created_at);
  const pages = list.pages.map((p) => ({ ...p, items: [...p.items] }));
  for (const page of pages) {
    const i = page.items.findIndex((x) => before(d, x));
    if (i >= 0) {
      page.items.splice(i, 0, d);
      return { ...list, pages };
    }
  }
  const last = pages[pages.length - 1];
  if (!last) return null;
  if (last.next_cursor) return null;
  last.items.push(d);
  return { ...list, pages };
}

/**
 * The newest state of each download the event stream (or a mutation's
 * answer) has told this client of, kept a few minutes. A list or detail
 * requested before an event but answered after it must not put the older
 * state back: a download that fails while the list is being fetched would
 * otherwise read "queued" again until the next reload, since no event
 * follows a failure. null marks a deleted download.
 */
type Known = { d: Download | null; seen: number };
type KnownSet = { rows: Map<string, Known>; swept: number };
const known = new WeakMap<QueryClient, KnownSet>();
const keepFor = 5 * 60_000;

function knownOf(qc: QueryClient): KnownSet {
  let k = known.get(qc);
  if (!k) known.set(qc, (k = { rows: new Map(), swept: Date.now() }));
  return k;
}

/** Records d unless something newer is known; returns what to show (null: deleted). */
function remember(qc: QueryClient, d: Download): Download | null {
  const set = knownOf(qc);
  const k = set.rows.get(d.id);
  if (k && (k.d === null || newer(k.d, d) !== d)) return k.d;
  const now = Date.now();
  set.rows.set(d.id, { d, seen: now });
  if (now - set.swept > keepFor) {
    set.swept = now;
    for (const [id, e] of set.rows) if (now - e.seen > keepFor) set.rows.delete(id);
  }
  return d;
}

function forget(qc: QueryClient, id: string) {
  knownOf(qc).rows.set(id, { d: null, seen: Date.now() });
}

/** The later of two states of one download; the incoming one when they are as old. */
function newer(old: Download | undefined, incoming: Download): Download {
  if (!old) return incoming;
  return Date.parse(old.updated_at) > Date.parse(incoming.updated_at) ? old : incoming;
}

/** A fetched list page with every row brought up to what the client already knows. */
export function reconcilePage(qc: QueryClient, params: DownloadListParams, page: DownloadPage): DownloadPage {
  const m = known.get(qc)?.rows;
  if (!m?.size) return page;
  let changed = false;
  const items: Download[] = [];
  for (const d of page.items) {
    const k = m.get(d.id);
    const latest = k ? (k.d === null ? null : newer(k.d, d)) : d;
    if (latest !== d) changed = true;
    if (latest && (latest === d || matches(latest, params))) items.push(latest);
  }
  return changed ? { ...page, items } : page;
}

/** A fetched download, or the newer state the client already knows. */
export function reconcileOne(qc: QueryClient, d: Download): Download {
  return newer(known.get(qc)?.rows.get(d.id)?.d ?? undefined, d);
}
