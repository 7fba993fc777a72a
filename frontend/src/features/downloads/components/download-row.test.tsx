import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { Schemas } from "@/lib/api/client";
import { StreamStatusContext } from "@/lib/sse/stream-status";
import { DownloadProgress } from "@/features/downloads/components/download-progress";
import { DownloadRow } from "@/features/downloads/components/download-row";
import { makeDownload } from "@/test/fixtures";
import { renderWithClient } from "@/test/render";

function file(over: Partial<Schemas["LibraryFile"]> = {}): Schemas["LibraryFile"] {
  return {
    id: "f1",
    download_id: "01931c2a-0000-7000-8000-000000000001",
    user_id: "01930a70-0000-7000-8000-000000000001",
    name: "A video.mp4",
    size_bytes: 2048,
    mime_type: "video/mp4",
    kind: "video",
    platform: "youtube",
    pinned: false,
    missing: false,
    thumbnail_url: null,
    expires_at: null,
    created_at: "2026-11-14T09:10:00Z",
    content_url: "/api/v1/files/f1/content",
    ...over,
  } as Schemas["LibraryFile"];
}

const row = (d: Schemas["Download"]) =>
  renderWithClient(
    <ul>
      <DownloadRow download={d} onOpen={() => {}} />
    </ul>,
  );

describe("DownloadRow", () => {
  it("offers Play and Download on a completed row, and plays in the page", async () => {
    row(makeDownload({ status: "completed", files: [file()] }));
    expect(screen.getByRole("link", { name: "Download A video" })).toHaveAttribute("href", "/api/v1/files/f1/content?download=true");
    await userEvent.click(screen.getByRole("button", { name: "Play A video" }));
    expect(await screen.findByRole("dialog", { name: "A video.mp4" })).toBeInTheDocument();
  });

  it("has no Play or Download before the file exists", () => {
    row(makeDownload({ status: "downloading" }));
    expect(screen.queryByRole("button", { name: /^Play/ })).toBeNull();
    expect(screen.queryByRole("link", { name: /^Download/ })).toBeNull();
  });

  it("labels an audio-only download audio", () => {
    row(makeDownload({ status: "completed", options: { preset: "audio", audio_format: "mp3" }, files: [file({ kind: "audio", name: "a.mp3", mime_type: "audio/mpeg" })] }));
    expect(screen.getByTestId("download-kind")).toHaveTextContent("audio");
  });

  it("says Fetching info… rather than the raw URL before metadata arrives", () => {
    row(makeDownload({ status: "fetching_info", title: null }));
    expect(screen.getByTestId("download-title")).toHaveTextContent("Fetching info…");
  });

  it("shows a playlist parent as 'Downloading · 2 of 3' with one combined bar", () => {
    row(
      makeDownload({
        kind: "playlist",
        status: "downloading",
        children_count: 3,
        children_summary: { queued: 1, fetching_info: 0, downloading: 1, post_processing: 0, completed: 1, failed: 0, canceled: 0, needs_match: 0 },
      }),
    );
    expect(screen.getByTestId("parent-progress-label")).toHaveTextContent("Downloading · 2 of 3");
    expect(screen.getByTestId("parent-progress")).toHaveAttribute("aria-valuetext", "Downloading · 2 of 3");
    expect(screen.queryByTestId("download-progress")).toBeNull();
  });
});

describe("DownloadProgress", () => {
  const running = makeDownload({
    status: "post_processing",
    progress: { percent: 100, downloaded_bytes: 10, total_bytes: 10, speed_bps: null, eta_seconds: null, fragment_index: null, fragment_count: null, postprocessor: "MoveFiles" },
  });

  it("names a post-processing step in words, not yt-dlp's class name", () => {
    renderWithClient(<DownloadProgress download={running} />);
    expect(screen.getByText("Moving files into place")).toBeInTheDocument();
    expect(screen.queryByText("MoveFiles")).toBeNull();
  });

  it("marks the numbers stale while the server is unreachable", () => {
    renderWithClient(
      <StreamStatusContext value="reconnecting">
        <DownloadProgress download={running} />
      </StreamStatusContext>,
    );
    expect(screen.getByRole("status")).toHaveTextContent("Not current: the server is not answering");
  });
});
