import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import DashboardPage from "@/app/routes/dashboard";
import { jsonResponse, makeDownload, problem } from "@/test/fixtures";
import { renderWithClient } from "@/test/render";

describe("DashboardPage", () => {
  it("opens with the paste box, and your downloads live under it", async () => {
    const items = [
      makeDownload({ id: "01931c2a-0000-7000-8000-00000000000a", title: "Running one", status: "downloading" }),
      makeDownload({ id: "01931c2a-0000-7000-8000-00000000000b", title: "Finished one", status: "completed" }),
    ];
    vi.stubGlobal(
      "fetch",
      vi.fn(async (req: Request) => {
        const u = new URL(req.url);
        if (u.pathname === "/api/v1/downloads" && req.method === "GET" && !u.searchParams.has("status")) return jsonResponse(200, { items, next_cursor: null });
        if (u.pathname === "/api/v1/downloads" && req.method === "POST") {
          const d = makeDownload({ id: "01931c2a-0000-7000-8000-00000000000c", title: "Just sent" });
          items.unshift(d);
          return jsonResponse(202, d);
        }
        if (u.pathname === "/api/v1/downloads") return jsonResponse(200, { items: [], next_cursor: null });
        return problem(404, "Not found");
      }),
    );
    renderWithClient(<DashboardPage />);
    const box = screen.getByLabelText("Link to download");
    expect(screen.getByRole("button", { name: "Download" })).toBeInTheDocument();
    // The box comes before the list in the page, and the list shows what exists.
    const list = await screen.findByRole("list", { name: "Downloads" });
    expect(box.compareDocumentPosition(list) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    expect(within(list).getByText("Running one")).toBeInTheDocument();
    expect(within(list).getByText("Finished one")).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "All downloads and filters" })).toHaveAttribute("href", "/downloads");

    // What you send shows up in the list at once.
    await userEvent.click(box);
    await userEvent.paste("https://youtu.be/abc");
    await userEvent.click(screen.getByRole("button", { name: "Download" }));
    expect(await within(list).findByText("Just sent")).toBeInTheDocument();
  });

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
    expect(await screen.findByText("No downloads yet")).toBeInTheDocument();
    expect(await screen.findByText("No failures")).toBeInTheDocument();
  });
});
