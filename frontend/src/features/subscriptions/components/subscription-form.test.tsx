import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { ApiError } from "@/lib/api/problem";
import type { Schemas } from "@/lib/api/client";
import { SubscriptionForm } from "@/features/subscriptions/components/subscription-form";
import { renderWithClient } from "@/test/render";

const existing: Schemas["Subscription"] = {
  id: "01931d00-1a2b-7c3d-8e4f-5a6b7c8d9e0f",
  user_id: "01931b00-0000-7000-8000-000000000001",
  name: "My podcast",
  url: "https://example.com/podcast.xml",
  platform: "generic",
  interval_hours: 12,
  options: { preset: "audio" },
  filters: { published_since: null, min_duration_seconds: 120, max_duration_seconds: null, title_include: [], title_exclude: ["trailer"], skip_shorts: false, skip_live: true },
  backfill: { mode: "last", count: 3 },
  retention: { keep_last: 20, keep_days: null },
  enabled: true,
  status: "ok",
  source_title: "The Podcast",
  last_check_at: "2026-12-07T06:00:00.000Z",
  last_success_at: "2026-12-07T06:00:00.000Z",
  next_check_at: "2026-12-07T18:00:00.000Z",
  last_error: null,
  consecutive_failures: 0,
  last_new_items: 1,
  checks: 4,
  items_queued: 6,
  created_at: "2026-12-06T12:00:00.000Z",
  updated_at: "2026-12-07T06:00:00.000Z",
};

describe("SubscriptionForm", () => {
  it("sends the source, schedule, backfill, filters and retention as the API takes them", async () => {
    const onSubmit = vi.fn(async () => undefined);
    renderWithClient(<SubscriptionForm onSubmit={onSubmit} />);
    await userEvent.type(screen.getByLabelText("Channel, playlist or feed"), "https://example.com/feed.xml");
    const every = screen.getByLabelText("Check every (hours)");
    await userEvent.clear(every);
    await userEvent.type(every, "4");
    await userEvent.clear(screen.getByLabelText("How many of the newest"));
    await userEvent.type(screen.getByLabelText("How many of the newest"), "2");
    await userEvent.type(screen.getByLabelText("Title must not match"), "trailer{enter}teaser");
    await userEvent.type(screen.getByLabelText("Shortest (minutes)"), "2");
    await userEvent.click(screen.getByLabelText("Skip Shorts"));
    await userEvent.click(screen.getByLabelText("Audio only"));
    await userEvent.type(screen.getByLabelText("The newest N downloads"), "10");
    await userEvent.click(screen.getByRole("button", { name: "Subscribe" }));

    await waitFor(() => expect(onSubmit).toHaveBeenCalledTimes(1));
    expect(onSubmit).toHaveBeenCalledWith({
      url: "https://example.com/feed.xml",
      name: "",
      interval_hours: 4,
      options: { preset: "audio" },
      backfill: { mode: "last", count: 2 },
      filters: {
        published_since: null,
        min_duration_seconds: 120,
        max_duration_seconds: null,
        title_include: [],
        title_exclude: ["trailer", "teaser"],
        skip_shorts: true,
        skip_live: false,
      },
      retention: { keep_last: 10, keep_days: null },
      enabled: true,
    });
  });

  it("shows the server's field errors on the fields they name", async () => {
    const onSubmit = vi.fn(async () => {
      throw new ApiError(422, {
        type: "https://downlink.dev/problems/validation-failed",
        title: "Validation failed",
        status: 422,
        errors: [
          { field: "url", message: "is a single item, not a channel, playlist or feed" },
          { field: "filters.title_exclude[0]", message: "is not a valid regular expression" },
        ],
      });
    });
    renderWithClient(<SubscriptionForm onSubmit={onSubmit} />);
    await userEvent.type(screen.getByLabelText("Channel, playlist or feed"), "https://www.youtube.com/watch?v=abc");
    await userEvent.type(screen.getByLabelText("Title must not match"), "(");
    await userEvent.click(screen.getByRole("button", { name: "Subscribe" }));

    expect(await screen.findByText("is a single item, not a channel, playlist or feed")).toHaveAttribute("role", "alert");
    expect(screen.getByText("is not a valid regular expression")).toBeVisible();
    expect(screen.getByLabelText("Title must not match")).toHaveAttribute("aria-invalid", "true");
  });

  it("edits without the fixed source or the first check, keeping what is set", async () => {
    const onSubmit = vi.fn(async () => undefined);
    renderWithClient(<SubscriptionForm subscription={existing} onSubmit={onSubmit} />);
    expect(screen.queryByLabelText("Channel, playlist or feed")).not.toBeInTheDocument();
    expect(screen.queryByText("First check")).not.toBeInTheDocument();
    await userEvent.click(screen.getByLabelText("Enabled"));
    await userEvent.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(onSubmit).toHaveBeenCalledTimes(1));
    expect(onSubmit).toHaveBeenCalledWith({
      name: "My podcast",
      interval_hours: 12,
      options: { preset: "audio" },
      filters: {
        published_since: null,
        min_duration_seconds: 120,
        max_duration_seconds: null,
        title_include: [],
        title_exclude: ["trailer"],
        skip_shorts: false,
        skip_live: true,
      },
      retention: { keep_last: 20, keep_days: null },
      enabled: false,
    });
  });
});
