import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { Router } from "wouter";
import { memoryLocation } from "wouter/memory-location";
import { leaveQuestion, UnsavedChangesProvider } from "@/lib/unsaved-changes";
import { PlatformCards } from "@/features/settings/components/platform-cards";
import { jsonResponse, makePlatformSettings } from "@/test/fixtures";
import { renderWithClient } from "@/test/render";

const spotify = makePlatformSettings({
  platform: "spotify",
  default_preset: "audio",
  options: { spotify: { client_id: "", client_secret_set: false, api_base_url: null, accounts_base_url: null, embed_base_url: null } } as never,
});

function setup() {
  vi.stubGlobal(
    "fetch",
    vi.fn(async () => jsonResponse(200, { items: [makePlatformSettings(), spotify] })),
  );
  const loc = memoryLocation({ path: "/settings", record: true });
  renderWithClient(
    <Router hook={loc.hook} searchHook={loc.searchHook}>
      <UnsavedChangesProvider>
        <PlatformCards />
      </UnsavedChangesProvider>
    </Router>,
  );
}

describe("PlatformCards", () => {
  it("shows one platform at a time with one Save, and asks before switching away from unsaved edits", async () => {
    setup();
    const youtube = await screen.findByRole("region", { name: "YouTube" });
    expect(screen.getAllByRole("button", { name: /^Save / })).toHaveLength(1);

    await userEvent.clear(screen.getByLabelText("Max concurrent downloads"));
    await userEvent.type(screen.getByLabelText("Max concurrent downloads"), "5");
    const confirm = vi.spyOn(window, "confirm").mockReturnValue(false);
    await userEvent.click(screen.getByRole("tab", { name: "Spotify" }));
    expect(confirm).toHaveBeenCalledWith(leaveQuestion);
    // Stayed: the edit is still there.
    expect(youtube).toBeInTheDocument();
    expect(screen.getByLabelText("Max concurrent downloads")).toHaveValue(5);

    confirm.mockReturnValue(true);
    await userEvent.click(screen.getByRole("tab", { name: "Spotify" }));
    await waitFor(() => expect(screen.getByRole("region", { name: "Spotify" })).toBeInTheDocument());
  });

  it("has no cookies section on Spotify's card", async () => {
    setup();
    await userEvent.click(await screen.findByRole("tab", { name: "Spotify" }));
    await screen.findByRole("region", { name: "Spotify" });
    expect(screen.queryByLabelText("cookies.txt")).toBeNull();
  });
});
