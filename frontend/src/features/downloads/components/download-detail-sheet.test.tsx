import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { DownloadDetailSheet } from "@/features/downloads/components/download-detail-sheet";
import { jsonResponse, makeDownload } from "@/test/fixtures";
import { renderWithClient } from "@/test/render";

const failed = makeDownload({
  id: "01931c2a-0000-7000-8000-0000000000f1",
  status: "failed",
  title: "Clip",
  error: {
    code: "host_not_found",
    message: "The site's address could not be found (its host name does not resolve).",
    details: "WARNING: [generic] Falling back on generic information extractor\nERROR: [generic] clip: Unable to download webpage: could not resolve host",
  },
});

function serve() {
  vi.stubGlobal(
    "fetch",
    vi.fn(async (req: Request) => {
      const u = new URL(req.url);
      if (u.pathname.endsWith("/logs")) return jsonResponse(200, { items: [], next_cursor: null });
      return jsonResponse(200, failed);
    }),
  );
}

describe("DownloadDetailSheet", () => {
  it("says why a download failed: the reason, yt-dlp's last lines, and (admins) its log records", async () => {
    serve();
    renderWithClient(<DownloadDetailSheet id={failed.id} isAdmin onClose={() => {}} />);
    expect(await screen.findByText("Site not found")).toBeInTheDocument();
    expect(screen.getByText(/could not be found/)).toBeInTheDocument();
    await userEvent.click(screen.getByText("Technical details"));
    expect(screen.getByTestId("technical-details")).toHaveTextContent("ERROR: [generic] clip: Unable to download webpage: could not resolve host");
    expect(screen.getByRole("link", { name: "Log records of this download" })).toHaveAttribute("href", `/logs?download=${failed.id}`);
  });

  it("gives a user the details but no link to the admins' logs", async () => {
    serve();
    renderWithClient(<DownloadDetailSheet id={failed.id} isAdmin={false} onClose={() => {}} />);
    expect(await screen.findByText("Technical details")).toBeInTheDocument();
    expect(screen.queryByRole("link", { name: "Log records of this download" })).toBeNull();
  });
});
