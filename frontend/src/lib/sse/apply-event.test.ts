import { type InfiniteData, QueryClient } from "@tanstack/react-query";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { downloadQueryOptions } from "@/features/downloads/api/get-download";
import { downloadsQueryOptions } from "@/features/downloads/api/list-downloads";
import type { Schemas } from "@/lib/api/client";
import { queryKeys } from "@/lib/query-keys";
import { applyEvent } from "@/lib/sse/apply-event";
import { jsonResponse, makeDownload } from "@/test/fixtures";

type Page = Schemas["DownloadList"];
type List = InfiniteData<Page, string | null>;

const a = makeDownload({ id: "a", title: "A", status: "downloading", created_at: "2026-11-14T09:00:00Z" });
const b = makeDownload({ id: "b", title: "B", status: "queued", created_at: "2026-11-14T08:00:00Z" });
const allKey = queryKeys.downloads.list({ sort: "-created_at", limit: 25 });
const activeKey = queryKeys.downloads.list({ status: ["queued", "fetching_info", "downloading", "post_processing"], limit: 10 });
const failedKey = queryKeys.downloads.list({ status: ["failed"], include_children: true, limit: 5 });

const list = (...items: Schemas["Download"][]): List => ({ pages: [{ items, next_cursor: null }], pageParams: [null] });
const ids = (qc: QueryClient, key: readonly unknown[]) => qc.getQueryData<List>(key)!.pages.flatMap((p) => p.items.map((d) => d.id));
const row = (qc: QueryClient, key: readonly unknown[], id: string) =>
  qc.getQueryData<List>(key)!.pages.flatMap((p) => p.items).find((d) => d.id === id);

describe("applyEvent", () => {
  let qc: QueryClient;
  beforeEach(() => {
    qc = new QueryClient();
    qc.setQueryData(allKey, list(a, b));
    qc.setQueryData(activeKey, list(a, b));
    qc.setQueryData(failedKey, list());
    qc.setQueryData(queryKeys.downloads.detail("a"), a);
  });

  it("download.progress moves the bar in lists and the detail without a refetch", () => {
    const progress = { ...a.progress, percent: 42.5, downloaded_bytes: 4250, total_bytes: 10000, speed_bps: 1000, eta_seconds: 6 };
    applyEvent(qc, "download.progress", { id: "a", parent_id: null, status: "downloading", progress });

    expect(row(qc, allKey, "a")!.progress.percent).toBe(42.5);
    expect(row(qc, activeKey, "a")!.progress.eta_seconds).toBe(6);
    expect(qc.getQueryData<Schemas["Download"]>(queryKeys.downloads.detail("a"))!.progress.percent).toBe(42.5);
    expect(qc.getQueryState(allKey)!.isInvalidated).toBe(false);
  });

  it("a row the server found by its uploader stays in the searched list as it progresses", () => {
    const byUploader = queryKeys.downloads.list({ q: " Synthwave ", limit: 25 });
    const c = makeDownload({ id: "c", title: "Neon Lights", uploader: "Synthwave Test", url: "https://youtu.be/ccccccccccc" });
    qc.setQueryData(byUploader, list(c));
    applyEvent(qc, "download.updated", { ...c, status: "downloading" as const });
    applyEvent(qc, "download.progress", { id: "c", parent_id: null, status: "downloading", progress: { ...c.progress, percent: 10 } });

    expect(ids(qc, byUploader)).toEqual(["c"]);
    expect(row(qc, byUploader, "c")!.progress.percent).toBe(10);
  });

  it("a search does not match across the end of the title and the start of the URL", () => {
    const across = queryKeys.downloads.list({ q: "A https", limit: 25 });
    qc.setQueryData(across, list(a));
    applyEvent(qc, "download.updated", { ...a, status: "post_processing" as const });
    expect(ids(qc, across)).toEqual([]);
  });

  it("download.created puts a new row first in lists whose filters it matches", () => {
    const c = makeDownload({ id: "c", status: "queued", created_at: "2026-11-14T10:00:00Z" });
    applyEvent(qc, "download.created", c);

    expect(ids(qc, allKey)).toEqual(["c", "a", "b"]);
    expect(ids(qc, activeKey)).toEqual(["c", "a", "b"]);
    expect(ids(qc, failedKey)).toEqual([]);
    expect(qc.getQueryData(queryKeys.downloads.detail("c"))).toEqual(c);
  });

  it("download.created leaves child rows out of top-level lists", () => {
    applyEvent(qc, "download.created", makeDownload({ id: "child", parent_id: "a", created_at: "2026-11-14T10:00:00Z" }));
    expect(ids(qc, allKey)).toEqual(["a", "b"]);
  });

  it("download.updated replaces the row, and moves it between filtered lists", () => {
    const failed = { ...a, status: "failed" as const, error: { code: "network" as const, message: "The site did not answer." } };
    applyEvent(qc, "download.updated", failed);

    expect(row(qc, allKey, "a")!.status).toBe("failed");
    expect(ids(qc, activeKey)).toEqual(["b"]); // no longer active
    expect(ids(qc, failedKey)).toEqual(["a"]); // now a recent failure
    expect(qc.getQueryData<Schemas["Download"]>(queryKeys.downloads.detail("a"))!.error!.code).toBe("network");
  });

  it("download.deleted removes the row and its detail", () => {
    applyEvent(qc, "download.deleted", { id: "a", parent_id: null, user_id: a.user_id });
    expect(ids(qc, allKey)).toEqual(["b"]);
    expect(qc.getQueryData(queryKeys.downloads.detail("a"))).toBeUndefined();
  });

  it("events.resync marks downloads, files, storage and stats for a refetch", () => {
    qc.setQueryData(queryKeys.files.list({}), { pages: [], pageParams: [] });
    applyEvent(qc, "events.resync", { reason: "client_reconnected" });
    expect(qc.getQueryState(allKey)!.isInvalidated).toBe(true);
    expect(qc.getQueryState(queryKeys.downloads.detail("a"))!.isInvalidated).toBe(true);
    expect(qc.getQueryState(queryKeys.files.list({}))!.isInvalidated).toBe(true);
  });

  it("truncated data refetches instead of guessing", () => {
    applyEvent(qc, "download.updated", { id: "a", truncated: true });
    expect(row(qc, allKey, "a")!.status).toBe("downloading"); // untouched
    expect(qc.getQueryState(allKey)!.isInvalidated).toBe(true);
    expect(qc.getQueryState(queryKeys.downloads.detail("a"))!.isInvalidated).toBe(true);
  });
});

// A request sent before an event and answered after it: the fetch is held
// until the test releases it with the body the server had at send time.
function heldFetch() {
  let release!: (body: unknown) => void;
  const answered = new Promise<unknown>((r) => (release = r));
  vi.stubGlobal("fetch", vi.fn(async () => jsonResponse(200, await answered)));
  return release;
}

describe("a late answer does not undo an event", () => {
  const queued = makeDownload({ id: "q", status: "queued", created_at: "2026-11-14T10:00:00Z", updated_at: "2026-11-14T10:00:00.100Z" });
  const failed = { ...queued, status: "failed" as const, updated_at: "2026-11-14T10:00:00.900Z", error: { code: "connection_refused" as const, message: "The site refused the connection." } };
  let qc: QueryClient;
  beforeEach(() => {
    qc = new QueryClient();
  });

  it("a list fetched before a download failed keeps the failure", async () => {
    const release = heldFetch();
    const all = downloadsQueryOptions({ sort: "-created_at", limit: 25 });
    const active = downloadsQueryOptions({ status: ["queued", "fetching_info", "downloading"], limit: 10 });
    const fetched = Promise.all([qc.fetchInfiniteQuery(all), qc.fetchInfiniteQuery(active)]);
    applyEvent(qc, "download.updated", failed);
    release({ items: [queued, b], next_cursor: null });
    await fetched;

    expect(row(qc, all.queryKey, "q")!.status).toBe("failed");
    expect(ids(qc, all.queryKey)).toEqual(["q", "b"]);
    expect(ids(qc, active.queryKey)).toEqual(["b"]);
  });

  it("a detail fetched before a download failed keeps the failure", async () => {
    const release = heldFetch();
    const fetched = qc.fetchQuery(downloadQueryOptions("q"));
    applyEvent(qc, "download.updated", failed);
    release(queued);
    expect((await fetched).status).toBe("failed");
    expect(qc.getQueryData<Schemas["Download"]>(queryKeys.downloads.detail("q"))!.status).toBe("failed");
  });

  it("a list fetched before a delete leaves the deleted row out", async () => {
    const release = heldFetch();
    const all = downloadsQueryOptions({ limit: 25 });
    const fetched = qc.fetchInfiniteQuery(all);
    applyEvent(qc, "download.deleted", { id: "q", parent_id: null, user_id: queued.user_id });
    release({ items: [queued, b], next_cursor: null });
    await fetched;
    expect(ids(qc, all.queryKey)).toEqual(["b"]);
  });

  it("the submit's answer arriving after the failure event does not reopen the row", () => {
    qc.setQueryData(allKey, list(b));
    applyEvent(qc, "download.updated", failed);
    applyEvent(qc, "download.created", queued);
    expect(row(qc, allKey, "q")!.status).toBe("failed");
    expect(qc.getQueryData<Schemas["Download"]>(queryKeys.downloads.detail("q"))!.status).toBe("failed");
  });

  it("progress arriving after the failure does not reopen the row, a retry does", () => {
    qc.setQueryData(allKey, list(queued));
    applyEvent(qc, "download.updated", failed);
    applyEvent(qc, "download.progress", { id: "q", parent_id: null, status: "downloading", progress: { ...queued.progress, percent: 50 } });
    expect(row(qc, allKey, "q")!.status).toBe("failed");

    applyEvent(qc, "download.updated", { ...failed, status: "queued" as const, error: null, updated_at: "2026-11-14T10:00:05Z" });
    applyEvent(qc, "download.progress", { id: "q", parent_id: null, status: "downloading", progress: { ...queued.progress, percent: 50 } });
    expect(row(qc, allKey, "q")!.status).toBe("downloading");
  });
});
