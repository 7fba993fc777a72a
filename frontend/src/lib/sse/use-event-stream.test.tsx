import { QueryClient, QueryClientProvider, type InfiniteData } from "@tanstack/react-query";
import { act, renderHook } from "@testing-library/react";
import type { ReactNode } from "react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Schemas } from "@/lib/api/client";
import { queryKeys } from "@/lib/query-keys";
import { backoffDelay, resumeUrl, useEventStream } from "@/lib/sse/use-event-stream";
import { FakeEventSource } from "@/test/fake-event-source";
import { makeDownload } from "@/test/fixtures";

describe("useEventStream", () => {
  let qc: QueryClient;
  const wrapper = ({ children }: { children: ReactNode }) => <QueryClientProvider client={qc}>{children}</QueryClientProvider>;
  const key = queryKeys.downloads.list({ sort: "-created_at", limit: 25 });

  beforeEach(() => {
    vi.useFakeTimers();
    FakeEventSource.instances = [];
    vi.stubGlobal("EventSource", FakeEventSource);
    qc = new QueryClient();
    qc.setQueryData(key, { pages: [{ items: [makeDownload({ id: "a", status: "downloading" })], next_cursor: null }], pageParams: [null] });
  });
  afterEach(() => vi.useRealTimers());

  it("feeds events into the cache and reports live / reconnecting with backoff", () => {
    const { result, unmount } = renderHook(() => useEventStream(true), { wrapper });
    expect(result.current).toBe("connecting");
    const es = FakeEventSource.instances[0]!;
    expect(es.url).toBe("/api/v1/events");

    act(() => es.onopen!());
    expect(result.current).toBe("live");

    act(() =>
      es.emit("download.progress", {
        id: "a",
        parent_id: null,
        status: "downloading",
        progress: { ...makeDownload().progress, percent: 73 },
      }),
    );
    const rows = qc.getQueryData<InfiniteData<Schemas["DownloadList"]>>(key)!.pages[0]!.items;
    expect(rows[0]!.progress.percent).toBe(73);

    // The stream drops: it says so, waits, and opens a new one.
    act(() => es.onerror!());
    expect(result.current).toBe("reconnecting");
    expect(es.closed).toBe(true);
    expect(FakeEventSource.instances).toHaveLength(1);
    act(() => vi.advanceTimersByTime(1300));
    expect(FakeEventSource.instances).toHaveLength(2);

    // Back: live again; no event was read, so there is no position to
    // resume from and what may have been missed is refetched.
    act(() => FakeEventSource.instances[1]!.onopen!());
    expect(result.current).toBe("live");
    expect(qc.getQueryState(key)!.isInvalidated).toBe(true);

    unmount();
    expect(FakeEventSource.instances[1]!.closed).toBe(true);
  });

  it("resumes after the last event read, and refetches only when the server says so", () => {
    const { unmount } = renderHook(() => useEventStream(true), { wrapper });
    const es = FakeEventSource.instances[0]!;
    act(() => es.onopen!());
    act(() => es.emit("download.updated", makeDownload({ id: "a", status: "completed" }), "7f3a9c21-12"));
    qc.getQueryCache().find({ queryKey: key })!.setState({ isInvalidated: false });

    act(() => es.onerror!());
    act(() => vi.advanceTimersByTime(1300));
    const back = FakeEventSource.instances[1]!;
    expect(back.url).toBe("/api/v1/events?last_event_id=7f3a9c21-12");
    act(() => back.onopen!());
    // The server replays what was missed: nothing to refetch yet.
    expect(qc.getQueryState(key)!.isInvalidated).toBe(false);
    act(() => back.emit("events.resync", { reason: "client_reconnected" }, "7f3a9c21-40"));
    expect(qc.getQueryState(key)!.isInvalidated).toBe(true);
    unmount();
  });

  it("puts the position in the query of a new stream", () => {
    expect(resumeUrl("/api/v1/events", "")).toBe("/api/v1/events");
    expect(resumeUrl("/api/v1/events", "ab-1")).toBe("/api/v1/events?last_event_id=ab-1");
    expect(resumeUrl("/api/v1/events?scope=all", "ab 1")).toBe("/api/v1/events?scope=all&last_event_id=ab%201");
  });

  it("backs off exponentially up to 30 s", () => {
    const mid = () => 0.5;
    expect([0, 1, 2, 3, 4, 5, 10].map((n) => backoffDelay(n, mid))).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000]);
  });
});
