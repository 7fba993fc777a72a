import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { LinkPasswordForm, tokenFromHash } from "@/features/auth/components/link-password-form";
import { jsonResponse, problem } from "@/test/fixtures";
import { renderWithClient } from "@/test/render";

afterEach(() => window.history.replaceState(null, "", "/"));

describe("tokenFromHash", () => {
  it.each([
    ["#token=abc-_9", "abc-_9"],
    ["#token=abc&x=1", "abc"],
    ["", ""],
    ["#other=1", ""],
  ])("%s → %s", (hash, want) => expect(tokenFromHash(hash)).toBe(want));
});

describe("LinkPasswordForm", () => {
  it("sends the token from the fragment with the chosen password, then signs in", async () => {
    window.history.replaceState(null, "", "/reset-password#token=tok123");
    const fetch = vi.fn(async (_req: Request) => jsonResponse(200, { user: {}, role: "user", auth: {}, features: {} }));
    vi.stubGlobal("fetch", fetch);
    const done = vi.fn();
    renderWithClient(<LinkPasswordForm kind="reset" onDone={done} />);
    await userEvent.type(screen.getByLabelText("New password"), "a new password");
    await userEvent.type(screen.getByLabelText("Repeat the password"), "a new password");
    await userEvent.click(screen.getByRole("button", { name: "Set password and sign in" }));
    await vi.waitFor(() => expect(done).toHaveBeenCalled());
    const req = fetch.mock.calls[0]![0];
    expect(new URL(req.url).pathname).toBe("/api/v1/auth/password-reset");
    expect(await req.json()).toEqual({ token: "tok123", password: "a new password" });
  });

  it("says a used or expired link is no good", async () => {
    window.history.replaceState(null, "", "/invite#token=used");
    vi.stubGlobal("fetch", vi.fn(async () => problem(410, "Link not valid", { type: "https://downlink.dev/problems/link-not-valid", detail: "This link is unknown, expired or already used; ask an administrator for a new one." })));
    renderWithClient(<LinkPasswordForm kind="invite" onDone={() => {}} />);
    await userEvent.type(screen.getByLabelText("New password"), "a new password");
    await userEvent.type(screen.getByLabelText("Repeat the password"), "a new password");
    await userEvent.click(screen.getByRole("button", { name: "Create my account" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("expired or already used");
  });

  it("explains an incomplete link", () => {
    window.history.replaceState(null, "", "/invite");
    renderWithClient(<LinkPasswordForm kind="invite" onDone={() => {}} />);
    expect(screen.getByRole("alert")).toHaveTextContent("incomplete");
  });
});
