import { screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { Router as Wouter } from "wouter";
import { memoryLocation } from "wouter/memory-location";
import { Router } from "@/app/router";
import { queryKeys } from "@/lib/query-keys";
import { problem } from "@/test/fixtures";
import { renderWithClient } from "@/test/render";

function me(role: "admin" | "user") {
  return {
    user: { id: "u", email: "bo@example.com", name: "Bo", role, auth_source: "local", issuer: null, avatar_url: null },
    role,
    auth: { method: "session", api_key_id: null, scopes: [] },
    features: {},
  };
}

describe("Router", () => {
  it("tells a non-admin at /settings that the page is for admins, not that it does not exist", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => problem(404, "Not found")));
    const { client } = renderWithClient(
      <Wouter hook={memoryLocation({ path: "/settings" }).hook}>
        <Router />
      </Wouter>,
    );
    client.setQueryData(queryKeys.me, me("user") as never);
    // The page is a lazy chunk: give it time to load on a busy machine.
    expect(await screen.findByRole("heading", { name: "Admins only" }, { timeout: 5000 })).toBeInTheDocument();
    expect(screen.queryByText("Page not found")).toBeNull();
  });

  it("still says Page not found where nothing exists", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => problem(404, "Not found")));
    const { client } = renderWithClient(
      <Wouter hook={memoryLocation({ path: "/no-such-page" }).hook}>
        <Router />
      </Wouter>,
    );
    client.setQueryData(queryKeys.me, me("user") as never);
    expect(await screen.findByRole("heading", { name: "Page not found" }, { timeout: 5000 })).toBeInTheDocument();
  });
});
