import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import DownloadsPage from "@/app/routes/downloads";
import { jsonResponse, makeDownload, problem } from "@/test/fixtures";
import { renderWithClient } from "@/test/render";

describe("DownloadsPage", () => {
  afterEach(() => window.history.replaceState(null, "", "/"));

  it("opens the download a link names (?open=, as the multi-link results link), and closing forgets it", async () => {
    const d = makeDownload({ id: "01931c2a-0000-7000-8000-0000000000aa", title: "Linked video", status: "completed" });
    vi.stubGlobal(
      "fetch",
      vi.fn(async (req: Request) => {
        const path = new URL(req.url).pathname;
        if (path === `/api/v1/downloads/${d.id}`) return jsonResponse(200, d);
        if (path === "/api/v1/downloads") return jsonResponse(200, { items: [d], next_cursor: null });
        return problem(404, "Not found");
      }),
    );
    window.history.replaceState(null, "", `/downloads?status=completed&open=${d.id}`);
    renderWithClient(<DownloadsPage />);
    const sheet = await screen.findByRole("dialog", { name: "Linked video" });
    expect(sheet).toBeInTheDocument();

    await userEvent.keyboard("{Escape}");
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect(window.location.search).toBe("?status=completed");
  });
});
