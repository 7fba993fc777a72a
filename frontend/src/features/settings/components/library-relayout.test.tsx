import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { LibraryRelayout } from "@/features/settings/components/library-relayout";
import type { Schemas } from "@/lib/api/client";
import { jsonResponse } from "@/test/fixtures";
import { renderWithClient } from "@/test/render";

const op = (over: Partial<Schemas["LibraryRelayout"]>): Schemas["LibraryRelayout"] => ({
  id: "7d0c2a5e-4b1f-4c3e-9a8d-2f6e1b0c9d4a",
  status: "completed",
  layout: { layout: "media_server", video_template: "", music_template: "" },
  total: 2,
  done: 2,
  moved: 2,
  failed: 0,
  failures: [],
  created_at: "2026-12-07T08:20:00.000Z",
  updated_at: "2026-12-07T08:20:02.000Z",
  finished_at: "2026-12-07T08:20:02.000Z",
  ...over,
});

describe("LibraryRelayout", () => {
  it("offers to resume an interrupted move, starts it and shows its failures", async () => {
    const started = op({ status: "running", done: 1, moved: 1, failed: 1, failures: [{ download_id: "0193aaaa-0000-7000-8000-000000000001", error: "video.mp4: file does not exist" }] });
    const fetch = vi.fn(async (req: Request) =>
      req.method === "POST" ? jsonResponse(202, started) : jsonResponse(200, op({ status: "interrupted", done: 1, moved: 1, finished_at: null })),
    );
    vi.stubGlobal("fetch", fetch);
    renderWithClient(<LibraryRelayout dirty={false} />);
    expect(await screen.findByRole("status")).toHaveTextContent("Move interrupted: 1 of 2 downloads handled, 1 moved.");
    await userEvent.click(screen.getByRole("button", { name: "Resume moving files" }));
    await waitFor(() => expect(screen.getByRole("status")).toHaveTextContent("Moving files: 1 of 2 downloads handled, 1 moved, 1 failed."));
    expect(screen.getByText(/video\.mp4: file does not exist/)).toBeInTheDocument();
    expect(screen.getByRole("button", { name: /moving files|move existing files/i })).toBeDisabled();
    expect(fetch.mock.calls.some(([r]) => (r as Request).method === "POST" && new URL((r as Request).url).pathname === "/api/v1/storage/relayout")).toBe(true);
  });

  it("asks to save the layout before moving, and says nothing of a library never moved", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => jsonResponse(404, { type: "https://downlink.dev/problems/no-library-move", title: "No library move", status: 404 })));
    renderWithClient(<LibraryRelayout dirty />);
    expect(await screen.findByText("Save the layout first.")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Move existing files" })).toBeDisabled();
    expect(screen.queryByRole("status")).toBeNull();
  });
});
