import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { DownloadsList } from "@/features/downloads/components/downloads-list";
import { defaultFilters } from "@/features/downloads/utils/filters";
import { MatchCandidates } from "@/features/downloads/components/match-candidates";
import { jsonResponse, makeDownload } from "@/test/fixtures";
import { renderWithClient } from "@/test/render";

describe("DownloadsList", () => {
  it("expands a playlist parent to its children and pages with Load more", async () => {
    const parent = makeDownload({ id: "p", title: "Lo-fi playlist", kind: "playlist", status: "downloading", children_count: 2 });
    const kids = [makeDownload({ id: "c1", title: "Track one", parent_id: "p" }), makeDownload({ id: "c2", title: "Track two", parent_id: "p" })];
    const urls: URL[] = [];
    vi.stubGlobal(
      "fetch",
      vi.fn(async (req: Request) => {
        const url = new URL(req.url);
        urls.push(url);
        if (url.searchParams.get("parent_id") === "p") return jsonResponse(200, { items: kids, next_cursor: null });
        if (url.searchParams.get("cursor") === "page2") {
          return jsonResponse(200, { items: [makeDownload({ id: "old", title: "Older one" })], next_cursor: null });
        }
        return jsonResponse(200, { items: [parent], next_cursor: "page2" });
      }),
    );
    renderWithClient(<DownloadsList filters={defaultFilters} onOpen={() => {}} />);

    await userEvent.click(await screen.findByRole("button", { name: "Expand Lo-fi playlist" }));
    const items = await screen.findByRole("list", { name: "Items" });
    expect(within(items).getByText("Track one")).toBeInTheDocument();
    expect(within(items).getByText("Track two")).toBeInTheDocument();

    await userEvent.click(screen.getByRole("button", { name: "Load more" }));
    expect(await screen.findByText("Older one")).toBeInTheDocument();
    expect(urls.find((u) => u.searchParams.get("cursor") === "page2")?.searchParams.get("sort")).toBe("-created_at");
  });
});

describe("MatchCandidates", () => {
  it("posts the chosen candidate's index", async () => {
    const d = makeDownload({
      id: "s",
      platform: "spotify",
      status: "needs_match",
      match: {
        threshold: 0.75,
        chosen_url: null,
        candidates: [
          { url: "https://music.youtube.com/watch?v=a", title: "Song (Live)", uploader: "Band", duration_seconds: 200, score: 0.5, source: "youtube_music", thumbnail_url: null },
          { url: "https://music.youtube.com/watch?v=b", title: "Song", uploader: "Band", duration_seconds: 199, score: 0.7, source: "youtube_music", thumbnail_url: null },
        ],
      },
    });
    const fetch = vi.fn(async (_req: Request) => jsonResponse(202, { ...d, status: "queued" }));
    vi.stubGlobal("fetch", fetch);
    renderWithClient(<MatchCandidates download={d} />);

    await userEvent.click(screen.getAllByRole("button", { name: "Use this" })[1]!);

    await vi.waitFor(() => expect(fetch).toHaveBeenCalled());
    const req = fetch.mock.calls[0]![0];
    expect(new URL(req.url).pathname).toBe("/api/v1/downloads/s/match");
    expect(await req.json()).toEqual({ candidate_index: 1 });
  });
});
