import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { CreateApiKeyDialog } from "@/features/api-keys/components/create-api-key-dialog";
import type { Scope } from "@/features/api-keys/utils/scopes";
import { jsonResponse, makeApiKey, problem } from "@/test/fixtures";
import { renderWithClient } from "@/test/render";

const userScopes: Scope[] = ["downloads:read", "downloads:write", "files:read", "files:write"];
const adminScopes: Scope[] = [...userScopes, "admin:read", "admin:write"];
const secret = "dlk_ppvF360iKSaeRJNpstz9kwhFDsQtb2e5a8xOVP4CMUN1uN1TJ";

async function open() {
  await userEvent.click(screen.getByRole("button", { name: "New API key" }));
  return screen.findByRole("dialog", { name: "New API key" });
}

describe("CreateApiKeyDialog", () => {
  it("offers each scope with what it allows, and the admin scopes only to admins", async () => {
    const { unmount } = renderWithClient(<CreateApiKeyDialog availableScopes={userScopes} />);
    let dialog = await open();
    const read = within(dialog).getByRole("checkbox", { name: /Read downloads/ });
    expect(read).toHaveAccessibleDescription("List downloads, follow their progress and the live event stream.");
    expect(within(dialog).getAllByRole("checkbox")).toHaveLength(4);
    expect(within(dialog).queryByRole("checkbox", { name: /admin:read/ })).toBeNull();
    unmount();

    renderWithClient(<CreateApiKeyDialog availableScopes={adminScopes} />);
    dialog = await open();
    expect(within(dialog).getByRole("checkbox", { name: /admin:read/ })).toHaveAccessibleDescription("Read users, logs, settings and webhooks.");
    expect(within(dialog).getByRole("checkbox", { name: /admin:write/ })).toBeInTheDocument();
  });

  it("sends the picked scopes and limits, then shows the key once with a curl example that uses it", async () => {
    const fetch = vi.fn(async (_req: Request) =>
      jsonResponse(201, { ...makeApiKey({ name: "Nightly script", scopes: ["downloads:read", "files:read"] }), key: secret }),
    );
    vi.stubGlobal("fetch", fetch);
    renderWithClient(<CreateApiKeyDialog availableScopes={userScopes} />);
    const dialog = await open();

    expect(within(dialog).getByRole("button", { name: "Create key" })).toBeEnabled();
    await userEvent.click(within(dialog).getByRole("button", { name: "Create key" }));
    expect(await within(dialog).findByText("Give the key a name")).toBeInTheDocument();
    expect(fetch).not.toHaveBeenCalled();

    await userEvent.type(within(dialog).getByLabelText("Name"), "Nightly script");
    await userEvent.click(within(dialog).getByRole("checkbox", { name: /Manage downloads/ })); // on by default: off
    await userEvent.click(within(dialog).getByRole("checkbox", { name: /Read files/ }));
    await userEvent.clear(within(dialog).getByLabelText("Rate limit"));
    await userEvent.type(within(dialog).getByLabelText("Rate limit"), "30");
    await userEvent.type(within(dialog).getByLabelText("Daily download quota"), "200");
    await userEvent.type(within(dialog).getByLabelText("Allowed IPs"), "192.168.1.0/24{enter}10.0.0.7");
    await userEvent.click(within(dialog).getByRole("button", { name: "Create key" }));

    const created = await screen.findByRole("dialog", { name: "Copy your new API key" });
    const req = fetch.mock.calls[0]![0];
    expect(req.method).toBe("POST");
    expect(new URL(req.url).pathname).toBe("/api/v1/api-keys");
    const body = await req.json();
    expect(body).toMatchObject({
      name: "Nightly script",
      scopes: ["downloads:read", "files:read"],
      rate_limit_per_minute: 30,
      daily_download_quota: 200,
      allowed_ips: ["192.168.1.0/24", "10.0.0.7"],
    });
    // The default expiry choice is 90 days from now.
    const days = (new Date(body.expires_at).getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(89.9);
    expect(days).toBeLessThan(90.1);

    expect(within(created).getByText("This is the only time the key is shown")).toBeInTheDocument();
    expect(within(created).getByLabelText("API key")).toHaveValue(secret);
    expect(within(created).getByLabelText("Try it with curl")).toHaveValue(
      `curl -sS -H "Authorization: Bearer ${secret}" ${window.location.origin}/api/v1/downloads`,
    );
    expect(within(created).getByRole("button", { name: "Copy the API key" })).toBeInTheDocument();

    // Once closed, the key is gone from the page for good.
    await userEvent.click(within(created).getByRole("button", { name: "Done, I have copied it" }));
    await waitFor(() => expect(screen.queryByDisplayValue(secret)).toBeNull());
  });

  it("preselects what sending links needs, and its curl example submits a download to this server", async () => {
    const fetch = vi.fn(async (req: Request) => jsonResponse(201, { ...makeApiKey({ name: "Phone", scopes: (await req.clone().json()).scopes }), key: secret }));
    vi.stubGlobal("fetch", fetch);
    renderWithClient(<CreateApiKeyDialog availableScopes={userScopes} />);
    const dialog = await open();
    expect(within(dialog).getByRole("checkbox", { name: /Read downloads/ })).toBeChecked();
    expect(within(dialog).getByRole("checkbox", { name: /Manage downloads/ })).toBeChecked();
    expect(within(dialog).getByRole("checkbox", { name: /Read files/ })).not.toBeChecked();
    expect(within(dialog).getByRole("checkbox", { name: /Manage files/ })).not.toBeChecked();
    expect(within(dialog).getAllByRole("checkbox").filter((c) => c.getAttribute("aria-checked") === "true")).toHaveLength(2);

    await userEvent.type(within(dialog).getByLabelText("Name"), "Phone");
    await userEvent.click(within(dialog).getByRole("button", { name: "Create key" }));
    const created = await screen.findByRole("dialog", { name: "Copy your new API key" });
    expect((await fetch.mock.calls[0]![0].json()).scopes).toEqual(["downloads:read", "downloads:write"]);
    expect(within(created).getByLabelText("Try it with curl")).toHaveValue(
      `curl -sS -X POST ${window.location.origin}/api/v1/downloads -H 'Authorization: Bearer ${secret}' -H 'Content-Type: application/json' -d '{"url":"LINK"}'`,
    );
    expect(within(created).getByText(/Queues a download: put the link to download in place of LINK\./)).toBeInTheDocument();
  });

  it("shows the server's 422 under the field it names", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn(async () =>
        problem(422, "Validation failed", {
          errors: [
            { field: "scopes[1]", message: "admin:write is for admins only" },
            { field: "allowed_ips[0]", message: "not an IP address or CIDR: 999.1.1.1" },
          ],
        }),
      ),
    );
    renderWithClient(<CreateApiKeyDialog availableScopes={userScopes} />);
    const dialog = await open();
    await userEvent.type(within(dialog).getByLabelText("Name"), "Bad");
    await userEvent.type(within(dialog).getByLabelText("Allowed IPs"), "999.1.1.1");
    await userEvent.click(within(dialog).getByRole("button", { name: "Create key" }));

    expect(await within(dialog).findByText("admin:write is for admins only")).toHaveAttribute("role", "alert");
    expect(within(dialog).getByText("not an IP address or CIDR: 999.1.1.1")).toBeInTheDocument();
    expect(within(dialog).getByLabelText("Allowed IPs")).toHaveAttribute("aria-invalid", "true");
    expect(screen.queryByRole("dialog", { name: "Copy your new API key" })).toBeNull();
  });
});
