import { screen, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { DownloadsList } from "@/features/downloads/components/downloads-list";
import { defaultFilters } from "@/features/downloads/utils/filters";
import { DownloadWarnings } from "@/features/downloads/components/download-warnings";
import { jsonResponse, makeDownload } from "@/test/fixtures";
import { renderWithClient } from "@/test/render";

const skipped = {
  code: "items_skipped" as const,
  message: "Downloaded 2 of 3 items. Skipped item 2 (photo): Instagram's media server answered 404 Not Found.",
};

describe("DownloadWarnings", () => {
  it("says in the list that a completed post is missing an item, and why", async () => {
    const post = makeDownload({ id: "p", title: "Post by natgeo", platform: "instagram", kind: "post", status: "completed", warnings: [skipped] });
    vi.stubGlobal("fetch", vi.fn(async () => jsonResponse(200, { items: [post], next_cursor: null })));
    renderWithClient(<DownloadsList filters={defaultFilters} onOpen={() => {}} />);
    const row = (await screen.findByText("Post by natgeo")).closest("li")!;
    expect(within(row).getByTestId("download-warning")).toHaveTextContent("Downloaded 2 of 3 items");
    expect(within(row).queryByTestId("download-error")).toBeNull();
  });

  it("lists every warning with its code in full", () => {
    renderWithClient(
      <DownloadWarnings
        warnings={[skipped, { code: "spotify_premium_required", message: "The Spotify app's owner needs Premium, so the Web API refused." }]}
      />,
    );
    const box = screen.getByTestId("download-warnings");
    expect(box).toHaveTextContent("2 warnings");
    expect(box).toHaveTextContent("(items_skipped)");
    expect(box).toHaveTextContent("owner needs Premium");
  });

  it("shows nothing without warnings", () => {
    const { container } = renderWithClient(<DownloadWarnings warnings={[]} />);
    expect(container).toBeEmptyDOMElement();
  });
});
