import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { AddUserDialog } from "@/features/users/components/add-user-dialog";
import { jsonResponse, problem } from "@/test/fixtures";
import { renderWithClient } from "@/test/render";

const user = {
  id: "01930a70-91c2-7a3b-b4c5-d6e7f8091a2b",
  email: "grace@example.com",
  name: "Grace Hopper",
  avatar_url: null,
  role: "user",
  disabled: false,
  auth_source: "local",
  issuer: null,
  last_login_at: null,
  created_at: "2026-12-07T08:00:00Z",
  updated_at: "2026-12-07T08:00:00Z",
  storage_quota_bytes: null,
  must_change_password: true,
};

async function fillAndSubmit(mode: RegExp, button: string) {
  await userEvent.click(screen.getByRole("button", { name: "Add user" }));
  const dialog = await screen.findByRole("dialog", { name: "Add user" });
  await userEvent.type(within(dialog).getByLabelText("E-mail"), "grace@example.com");
  await userEvent.type(within(dialog).getByLabelText("Name"), "Grace Hopper");
  await userEvent.click(within(dialog).getByLabelText(mode));
  await userEvent.click(within(dialog).getByRole("button", { name: button }));
}

describe("AddUserDialog", () => {
  it("adds a user with a temporary password and shows it once", async () => {
    const fetch = vi.fn(async (_req: Request) => jsonResponse(201, { user, temporary_password: "k7Pq2mXa9RtY4wZe" }));
    vi.stubGlobal("fetch", fetch);
    renderWithClient(<AddUserDialog mailConfigured={false} />);
    await fillAndSubmit(/Temporary password/, "Add user");

    const done = await screen.findByRole("dialog", { name: "Pass this on" });
    expect(within(done).getByLabelText("Temporary password")).toHaveTextContent("k7Pq2mXa9RtY4wZe");
    const req = fetch.mock.calls[0]![0];
    expect(new URL(req.url).pathname).toBe("/api/v1/users");
    expect(await req.json()).toEqual({ email: "grace@example.com", name: "Grace Hopper", role: "user" });
  });

  it("creates an invitation and shows its link; e-mail is offered only when set up", async () => {
    const link = { url: "http://dl.test/invite#token=abc", expires_at: "2026-12-10T08:00:00Z", emailed: false, email_error: null };
    const fetch = vi.fn(async (_req: Request) =>
      jsonResponse(201, { invitation: { id: "x", email: "grace@example.com", name: "Grace Hopper", role: "user", expires_at: link.expires_at, created_at: link.expires_at, created_by: null }, link }),
    );
    vi.stubGlobal("fetch", fetch);
    renderWithClient(<AddUserDialog mailConfigured={false} />);
    await userEvent.click(screen.getByRole("button", { name: "Add user" }));
    expect(await screen.findByRole("checkbox", { name: /set up an SMTP server/ })).toBeDisabled();
    await userEvent.keyboard("{Escape}");
    await fillAndSubmit(/Invitation link/, "Create invitation");

    const done = await screen.findByRole("dialog", { name: "Pass this on" });
    expect(within(done).getByLabelText("Invitation link")).toHaveTextContent(link.url);
    const req = fetch.mock.calls[0]![0];
    expect(new URL(req.url).pathname).toBe("/api/v1/invitations");
  });

  it("says why the server refused", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn(async () => problem(409, "E-mail already used", { type: "https://downlink.dev/problems/e-mail-already-used", detail: "Another account uses this e-mail address." })),
    );
    renderWithClient(<AddUserDialog mailConfigured />);
    await fillAndSubmit(/Invitation link/, "Create invitation");
    expect(await screen.findByRole("alert")).toHaveTextContent("Another account uses this e-mail address.");
  });
});
