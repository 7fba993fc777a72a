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
});
