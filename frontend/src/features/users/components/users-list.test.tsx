import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import type { Schemas } from "@/lib/api/client";
import { UsersList } from "@/features/users/components/users-list";
import { defaultUserFilters } from "@/features/users/components/users-toolbar";
import { jsonResponse, problem } from "@/test/fixtures";
import { renderWithClient } from "@/test/render";

const ada: Schemas["User"] = {
  id: "01930a6e-2f4b-7c1d-8e5f-6a7b8c9d0e1f",
  email: "ada@example.com",
  name: "Ada Lovelace",
  avatar_url: null,
  role: "admin",
  disabled: false,
  auth_source: "local",
  issuer: null,
  last_login_at: null,
  created_at: "2026-10-01T18:20:00Z",
  updated_at: "2026-10-01T18:20:00Z",
  storage_quota_bytes: null,
  must_change_password: false,
};

describe("UsersList", () => {
  it("shows the last-admin 409 as a banner that says what to do, after a confirmation", async () => {
    const fetch = vi.fn(async (req: Request) => {
      if (req.method === "PATCH") {
        return problem(409, "Last admin", { type: "https://downlink.dev/problems/last-admin", detail: "This is the last active admin; make someone else admin first." });
      }
      return jsonResponse(200, { items: [ada], next_cursor: null });
    });
    vi.stubGlobal("fetch", fetch);
    renderWithClient(<UsersList filters={defaultUserFilters} meId="someone-else" usage={new Map()} defaultQuota={null} />);

    await userEvent.click(await screen.findByRole("button", { name: "Actions for Ada Lovelace" }));
    await userEvent.click(await screen.findByRole("menuitem", { name: "Disable…" }));
    const confirm = await screen.findByRole("alertdialog", { name: "Disable Ada Lovelace?" });
    expect(fetch.mock.calls.some(([r]) => r.method === "PATCH")).toBe(false);
    await userEvent.click(within(confirm).getByRole("button", { name: "Disable account" }));

    const banner = await screen.findByTestId("users-conflict");
    expect(banner).toHaveAttribute("role", "alert");
    expect(banner).toHaveTextContent("Last admin");
    expect(banner).toHaveTextContent("This is the last active admin; make someone else admin first.");
    const patch = fetch.mock.calls.find(([r]) => r.method === "PATCH")![0];
    expect(new URL(patch.url).pathname).toBe(`/api/v1/users/${ada.id}`);
    expect(await patch.json()).toEqual({ disabled: true });
  });
});
