import { act, screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Schemas } from "@/lib/api/client";
import { useEventStream } from "@/lib/sse/use-event-stream";
import SubscriptionsPage from "@/app/routes/subscriptions";
import { FakeEventSource } from "@/test/fake-event-source";
import { jsonResponse } from "@/test/fixtures";
import { renderWithClient } from "@/test/render";

type Subscription = Schemas["Subscription"];

const pending: Subscription = {
  id: "01931d00-1a2b-7c3d-8e4f-5a6b7c8d9e0f",
  user_id: "01931b00-0000-7000-8000-000000000001",
  name: "https://example.com/podcast.xml",
  url: "https://example.com/podcast.xml",
  platform: "generic",
  interval_hours: 6,
  options: {},
  filters: { published_since: null, min_duration_seconds: null, max_duration_seconds: null, title_include: [], title_exclude: [], skip_shorts: false, skip_live: false },
  backfill: { mode: "last", count: 2 },
  retention: { keep_last: null, keep_days: null },
  enabled: true,
  status: "pending",
  source_title: null,
  last_check_at: null,
  last_success_at: null,
  next_check_at: "2026-12-07T18:00:00.000Z",
  last_error: null,
  consecutive_failures: 0,
  last_new_items: 0,
  checks: 0,
  items_queued: 0,
  created_at: "2026-12-07T12:00:00.000Z",
  updated_at: "2026-12-07T12:00:00.000Z",
};

/** The page as the app shows it: the layout keeps the event stream open. */
function LivePage() {
  useEventStream(true);
  return <SubscriptionsPage />;
}

describe("Subscriptions page", () => {
  beforeEach(() => {
    FakeEventSource.instances = [];
    vi.stubGlobal("EventSource", FakeEventSource);
  });
  afterEach(() => vi.unstubAllGlobals());

  it("shows a check's result, a new item, a new and a deleted subscription as the events arrive, without refetching", async () => {
    const fetch = vi.fn(async (req: Request) => {
      if (new URL(req.url).pathname === "/api/v1/subscriptions") return jsonResponse(200, { items: [pending] });
      return jsonResponse(404, {});
    });
    vi.stubGlobal("fetch", fetch);
    renderWithClient(<LivePage />);
    const list = await screen.findByRole("list", { name: "Subscriptions" });
    const row = () => within(list).getAllByRole("listitem")[0]!;
    expect(row()).toHaveTextContent("Waiting for its first check");
    expect(row()).toHaveTextContent("Not yet");
    const es = FakeEventSource.instances[0]!;
    act(() => es.onopen!());

    // The first check queues an item: the count grows while it runs…
    act(() => es.emit("subscription.updated", { ...pending, items_queued: 1 }));
    await waitFor(() => expect(row()).toHaveTextContent("Downloaded so far1 item"));
    // …and its end brings the status, the name the source gave and the new items.
    const checked: Subscription = {
      ...pending,
      status: "ok",
      name: "The Podcast",
      source_title: "The Podcast",
      last_check_at: new Date(Date.now() - 5_000).toISOString(),
      last_success_at: new Date(Date.now() - 5_000).toISOString(),
      last_new_items: 2,
      checks: 1,
      items_queued: 2,
      updated_at: "2026-12-07T12:00:05.000Z",
    };
    act(() => es.emit("subscription.checked", { subscription: checked, new_items: 2, error: null }));
    await waitFor(() => expect(row()).toHaveTextContent("OK"));
    expect(row()).toHaveTextContent("The Podcast");
    expect(row()).toHaveTextContent("New at last check2 items");
    expect(row()).toHaveTextContent("Downloaded so far2 items");
    expect(row()).not.toHaveTextContent("Not yet");

    // A late event of an older state does not undo it; subscribed in
    // another tab: the new one appears (after it, as events come in order).
    act(() => es.emit("subscription.updated", { ...pending, items_queued: 1 }));
    const other: Subscription = { ...pending, id: "01931d00-1a2b-7c3d-8e4f-000000000002", name: "Another channel", url: "https://www.youtube.com/@another" };
    act(() => es.emit("subscription.updated", other));
    await waitFor(() => expect(within(list).getAllByRole("listitem")).toHaveLength(2));
    expect(within(list).getAllByRole("listitem")[1]).toHaveTextContent("Another channel");
    expect(row()).toHaveTextContent("OK");
    expect(row()).toHaveTextContent("Downloaded so far2 items");

    // A failing check shows its reason.
    const reason = "The feed's server answered 500 Internal Server Error.";
    act(() =>
      es.emit("subscription.checked", {
        subscription: { ...checked, status: "failing", consecutive_failures: 1, last_new_items: 0, last_error: reason, updated_at: "2026-12-07T18:00:01.000Z" },
        new_items: 0,
        error: reason,
      }),
    );
    await waitFor(() => expect(row()).toHaveTextContent("Failing"));
    expect(within(row()).getByRole("status")).toHaveTextContent(reason);

    // Deleted in another tab: it goes.
    act(() => es.emit("subscription.deleted", { id: pending.id, user_id: pending.user_id }));
    await waitFor(() => expect(within(list).getAllByRole("listitem")).toHaveLength(1));
    expect(within(list).getAllByRole("listitem")[0]).toHaveTextContent("Another channel");

    expect(fetch.mock.calls.filter(([r]) => new URL(r.url).pathname === "/api/v1/subscriptions")).toHaveLength(1);
  });
});
