import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { PlatformCard } from "@/features/settings/components/platform-card";
import { SpotifyAccount } from "@/features/settings/components/spotify-account";
import { jsonResponse, makePlatformSettings } from "@/test/fixtures";
import { renderWithClient } from "@/test/render";

const redirect = "http://localhost:3000/api/v1/settings/platforms/spotify/account/callback";
const notConnected = { connected: false, user_id: null, display_name: null, product: null, scopes: [], connected_at: null, client_mismatch: false, redirect_uri: redirect };
const connected = { ...notConnected, connected: true, user_id: "ana.music", display_name: "Ana", product: "premium", connected_at: "2026-12-07T10:00:00Z", scopes: ["playlist-read-private"] };

afterEach(() => {
  vi.unstubAllGlobals();
  window.history.replaceState(null, "", "/");
});

describe("SpotifyAccount", () => {
  it("shows the redirect URI to register and sends the browser to Spotify's consent page", async () => {
    const assign = vi.fn();
    vi.stubGlobal("location", { ...window.location, assign, href: window.location.href });
    const fetch = vi.fn(async (req: Request) => {
      const path = new URL(req.url).pathname;
      if (req.method === "POST" && path.endsWith("/account/authorize")) {
        return jsonResponse(200, { authorize_url: "https://accounts.spotify.com/authorize?client_id=abc&code_challenge=x", redirect_uri: redirect });
      }
      return jsonResponse(200, notConnected);
    });
    vi.stubGlobal("fetch", fetch);
    renderWithClient(<SpotifyAccount hasClientId />);

    expect(await screen.findByTestId("spotify-redirect-uri")).toHaveTextContent(redirect);
    expect(screen.getByTestId("spotify-account-status")).toHaveTextContent("Not connected");
    await userEvent.click(screen.getByRole("button", { name: "Connect Spotify account" }));
    await waitFor(() => expect(assign).toHaveBeenCalledWith("https://accounts.spotify.com/authorize?client_id=abc&code_challenge=x"));
  });

  it("needs the app's client id before it can connect", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => jsonResponse(200, notConnected)));
    renderWithClient(<SpotifyAccount hasClientId={false} />);
    expect(await screen.findByRole("button", { name: "Connect Spotify account" })).toBeDisabled();
    expect(screen.getByText(/Needs your app's client id/)).toBeInTheDocument();
  });

  it("names the connected account and disconnects it after confirming", async () => {
    let state: Record<string, unknown> = connected;
    const fetch = vi.fn(async (req: Request) => {
      if (req.method === "DELETE") {
        state = notConnected;
        return new Response(null, { status: 204 });
      }
      return jsonResponse(200, state);
    });
    vi.stubGlobal("fetch", fetch);
    renderWithClient(<SpotifyAccount hasClientId />);

    expect(await screen.findByTestId("spotify-account-status")).toHaveTextContent("Connected as Ana");
    await userEvent.click(screen.getByRole("button", { name: "Disconnect" }));
    await userEvent.click(within(await screen.findByRole("alertdialog")).getByRole("button", { name: "Disconnect" }));
    await waitFor(() => expect(screen.getByTestId("spotify-account-status")).toHaveTextContent("Not connected"));
    expect(fetch.mock.calls.some(([r]) => r.method === "DELETE" && new URL(r.url).pathname === "/api/v1/settings/platforms/spotify/account")).toBe(true);
  });

  it("takes the callback's outcome out of the address once shown", async () => {
    window.history.replaceState(null, "", "/settings?tab=platforms&spotify_account=error&message=Spotify+access+was+not+granted");
    vi.stubGlobal("fetch", vi.fn(async () => jsonResponse(200, notConnected)));
    renderWithClient(<SpotifyAccount hasClientId />);
    await screen.findByTestId("spotify-account-status");
    expect(window.location.search).toBe("?tab=platforms");
  });
});

describe("Spotify settings", () => {
  it("explains the three setups and shows the Premium reason of a failed test", async () => {
    const settings = makePlatformSettings({
      platform: "spotify",
      default_preset: "audio",
      options: { spotify: { client_id: "abc", client_secret_set: true, api_base_url: "https://api.spotify.com", token_url: "https://accounts.spotify.com/api/token", embed_base_url: "https://open.spotify.com", search_backend: "auto" } },
    });
    const fetch = vi.fn(async (req: Request) => {
      const path = new URL(req.url).pathname;
      if (path.endsWith("/spotify/test")) {
        return jsonResponse(200, { ok: false, reason: "premium_required", message: "The Spotify app's owner needs Premium: Spotify issued a token but refuses every Web API call." });
      }
      return jsonResponse(200, notConnected);
    });
    vi.stubGlobal("fetch", fetch);
    renderWithClient(<PlatformCard settings={settings} />);
    const card = screen.getByRole("region", { name: "Spotify" });
    const modes = within(card).getByRole("list", { name: "What each setup gives" });
    expect(within(modes).getByText("No setup")).toBeInTheDocument();
    expect(within(modes).getByText("Connected account")).toBeInTheDocument();
    expect(within(card).getByLabelText("Public pages URL")).toHaveValue("https://open.spotify.com");

    await userEvent.click(within(card).getByRole("button", { name: "Test connection" }));
    const result = await within(card).findByTestId("spotify-test-result");
    await waitFor(() => expect(result).toHaveTextContent("The Spotify app's owner needs Premium"));
  });
});
