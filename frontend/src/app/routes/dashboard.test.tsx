import { screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import DashboardPage from "@/app/routes/dashboard";
import { problem } from "@/test/fixtures";
import { renderWithClient } from "@/test/render";

describe("DashboardPage", () => {
  it("shows empty states, not a crash, while /stats and /storage answer 404", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn(async (req: Request) => {
        const path = new URL(req.url).pathname;
        if (path === "/api/v1/downloads") return new Response(JSON.stringify({ items: [], next_cursor: null }), { headers: { "Content-Type": "application/json" } });
        return problem(404, "Not found");
      }),
    );
    renderWithClient(<DashboardPage />);
    expect(await screen.findByText("Statistics are not available yet")).toBeInTheDocument();
    expect(await screen.findByText("statistics unavailable")).toBeInTheDocument();
    expect(await screen.findByText("unavailable")).toBeInTheDocument();
    expect(await screen.findByText("Nothing running")).toBeInTheDocument();
    expect(await screen.findByText("No failures")).toBeInTheDocument();
  });
});
