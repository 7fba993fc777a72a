import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { youtubeTestURL } from "@/features/settings/api/test-youtube";
import { PlatformHelp } from "@/features/settings/components/platform-help";
import { jsonResponse, problem } from "@/test/fixtures";
import { renderWithClient } from "@/test/render";

describe("PlatformHelp", () => {
  it("YouTube: explains the solver, cookies and PO tokens with doc links, and tests a known-good video", async () => {
    const bodies: unknown[] = [];
    vi.stubGlobal(
      "fetch",
      vi.fn(async (req: Request) => {
        bodies.push(await req.json());
        return jsonResponse(200, {
          url: youtubeTestURL,
          platform: "youtube",
          kind: "video",
          title: "Me at the zoo",
          uploader: "jawed",
          thumbnail_url: null,
          duration_seconds: 19,
          formats: [{ format_id: "18", ext: "mp4", resolution: "320x240", fps: 30, vcodec: "avc1", acodec: "mp4a", filesize_bytes: 1, tbr: 1, note: null }],
          playlist: null,
          spotify: null,
          warnings: [],
        });
      }),
    );
    renderWithClient(<PlatformHelp platform="youtube" />);
    expect(screen.getByRole("link", { name: /How the solver works/ })).toHaveAttribute("href", expect.stringContaining("youtube.md#the-javascript-challenge-solver"));
    expect(screen.getByRole("link", { name: /Exporting YouTube cookies/ })).toHaveAttribute("href", expect.stringContaining("youtube.md#cookies"));
    expect(screen.getByRole("link", { name: /Setting up a provider/ })).toHaveAttribute("href", expect.stringContaining("po-tokens"));
    expect(screen.getByRole("link", { name: "System page" })).toHaveAttribute("href", "/system");

    await userEvent.click(screen.getByRole("button", { name: "Test YouTube" }));
    expect(await screen.findByText(/YouTube answered: “Me at the zoo”, 1 format\./)).toBeInTheDocument();
    expect(bodies[0]).toEqual({ url: youtubeTestURL });
  });

  it("YouTube: a failed test says why", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => problem(502, "Probe failed", { detail: "YouTube blocked the stream: check the challenge solver on the System page.", code: "youtube_blocked" })));
    renderWithClient(<PlatformHelp platform="youtube" />);
    await userEvent.click(screen.getByRole("button", { name: "Test YouTube" }));
    expect(await screen.findByText(/YouTube blocked the stream/)).toBeInTheDocument();
  });

  it("Spotify: app creation step by step, with the real dashboard link and this server's callback", () => {
    renderWithClient(<PlatformHelp platform="spotify" />);
    expect(screen.getByRole("link", { name: "Spotify developer dashboard" })).toHaveAttribute("href", "https://developer.spotify.com/dashboard");
    expect(screen.getByText(`${window.location.origin}/api/v1/settings/platforms/spotify/account/callback`)).toBeInTheDocument();
    expect(screen.getByText(/Without one, track, album and playlist links still work/)).toBeInTheDocument();
  });

  it("Instagram: cookies and the account-flagging risk", () => {
    renderWithClient(<PlatformHelp platform="instagram" />);
    // Not a landmark of its own: the card is the region named Instagram.
    expect(screen.getByTestId("platform-help")).toHaveTextContent(/flags accounts/);
  });
});
