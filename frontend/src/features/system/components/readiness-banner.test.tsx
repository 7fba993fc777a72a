import { screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { ReadinessBanner } from "@/features/system/components/readiness-banner";
import { jsonResponse } from "@/test/fixtures";
import { renderWithClient } from "@/test/render";

const system = (over: Record<string, unknown>) => ({
  version: "1.0.0",
  commit: "abc",
  go_version: "go1.26",
  node: { name: "n1", role: "serve" },
  ytdlp: { found: true, path: "/usr/bin/yt-dlp", version: "2026.10.02", outdated: false, too_old: false, min_version: "2024.05.26", safe_version: "2026.07.04" },
  ffmpeg: { found: true, path: "/usr/bin/ffmpeg", version: "5.1" },
  disk: { free_bytes: 1, total_bytes: 2, min_free_bytes: 0 },
  queue: { queued: 0, running: 0, by_queue: {} },
  nodes: [],
  database: { ok: true, driver: "sqlite" },
  ready: true,
  problems: [],
  warnings: [],
  ...over,
});

describe("ReadinessBanner", () => {
  it("stays away when all is well", async () => {
    const fetch = vi.fn(async () => jsonResponse(200, system({})));
    vi.stubGlobal("fetch", fetch);
    const { container } = renderWithClient(<ReadinessBanner />);
    await vi.waitFor(() => expect(fetch).toHaveBeenCalled());
    expect(container).toBeEmptyDOMElement();
  });

  it("alerts when Downlink is not ready", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => jsonResponse(200, system({ ready: false, problems: ["yt-dlp was not found"] }))));
    renderWithClient(<ReadinessBanner />);
    expect(await screen.findByRole("alert")).toHaveTextContent("Downlink is not ready");
    expect(screen.getByText("yt-dlp was not found")).toBeInTheDocument();
  });

  it("warns about an outdated yt-dlp", async () => {
    const ytdlp = { found: true, path: "/usr/bin/yt-dlp", version: "2025.01.01", outdated: true, too_old: false, min_version: "2024.05.26", safe_version: "2026.07.04" };
    vi.stubGlobal("fetch", vi.fn(async () => jsonResponse(200, system({ ytdlp }))));
    renderWithClient(<ReadinessBanner />);
    expect(await screen.findByRole("status")).toHaveTextContent(/yt-dlp 2025\.01\.01 is older than 2026\.07\.04/);
  });

  it("tells admins while the YouTube challenge solver is not ready", async () => {
    const youtube_solver = {
      status: "missing",
      runtime: "deno",
      runtime_name: "",
      runtime_version: "",
      providers: [],
      ejs_version: "",
      ytdlp_version: "2026.10.26",
      message: "No JavaScript runtime found for yt-dlp's YouTube challenge solver: install Deno 2.3 or newer.",
      checked_at: "2026-12-07T03:40:00Z",
    };
    vi.stubGlobal("fetch", vi.fn(async () => jsonResponse(200, system({ youtube_solver }))));
    renderWithClient(<ReadinessBanner />);
    expect(await screen.findByRole("status")).toHaveTextContent(/YouTube challenge solver missing: No JavaScript runtime found/);
  });

  it("says nothing while the solver is ready or still being checked", async () => {
    for (const status of ["ready", "unknown"]) {
      const youtube_solver = { status, runtime: "deno", runtime_name: "deno", runtime_version: "2.9.6", providers: ["deno"], ejs_version: "", ytdlp_version: "", message: "", checked_at: "2026-12-07T03:40:00Z" };
      const fetch = vi.fn(async () => jsonResponse(200, system({ youtube_solver })));
      vi.stubGlobal("fetch", fetch);
      const { container, unmount } = renderWithClient(<ReadinessBanner />);
      await vi.waitFor(() => expect(fetch).toHaveBeenCalled());
      expect(container).toBeEmptyDOMElement();
      unmount();
    }
  });
});
