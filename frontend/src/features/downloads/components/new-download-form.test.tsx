import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

// Pasting, as people do; typing a URL key by key is slow in jsdom.
async function paste(el: HTMLElement, text: string) {
  await userEvent.click(el);
  await userEvent.paste(text);
}
import { describe, expect, it, vi } from "vitest";
import { NewDownloadForm } from "@/features/downloads/components/new-download-form";
import { makeDownload, problem, jsonResponse } from "@/test/fixtures";
import { renderWithClient } from "@/test/render";

describe("NewDownloadForm", () => {
  it("shows the server's 422 field errors on the fields they name", async () => {
    const fetch = vi.fn(async (_req: Request) =>
      problem(422, "Validation failed", {
        detail: "The request has invalid fields.",
        errors: [
          { field: "url", message: "the host resolves to a link-local address (169.254.169.254)" },
          { field: "options.playlist_items", message: "must look like 1-3,7" },
        ],
      }),
    );
    vi.stubGlobal("fetch", fetch);
    renderWithClient(<NewDownloadForm />);

    await paste(screen.getByLabelText("Link to download"), "http://169.254.169.254/latest");
    await userEvent.click(screen.getByRole("button", { name: "Download" }));

    const urlError = await screen.findByText(/resolves to a link-local address/);
    expect(urlError).toHaveAttribute("role", "alert");
    expect(screen.getByLabelText("Link to download")).toHaveAttribute("aria-invalid", "true");
    // The options part opens to show its error.
    expect(await screen.findByText("must look like 1-3,7")).toBeVisible();
    expect(screen.getByLabelText("Playlist items")).toHaveAttribute("aria-invalid", "true");

    const req = fetch.mock.calls[0]![0];
    expect(req.method).toBe("POST");
    expect(new URL(req.url).pathname).toBe("/api/v1/downloads");
    expect(req.headers.get("Idempotency-Key")).toMatch(/^[0-9a-f-]{32,36}$/);
    expect(await req.clone().json()).toEqual({ url: "http://169.254.169.254/latest" });
  });

  it("sends a new Idempotency-Key per submission and only the options that were changed", async () => {
    const keys: string[] = [];
    const bodies: unknown[] = [];
    vi.stubGlobal(
      "fetch",
      vi.fn(async (req: Request) => {
        keys.push(req.headers.get("Idempotency-Key") ?? "");
        bodies.push(await req.json());
        return jsonResponse(202, makeDownload());
      }),
    );
    renderWithClient(<NewDownloadForm />);
    const box = screen.getByLabelText("Link to download");
    await paste(box, "https://youtu.be/abc");
    await userEvent.click(screen.getByRole("button", { name: "Options" }));
    await userEvent.click(screen.getByLabelText("Chapters"));
    await userEvent.click(screen.getByLabelText("sponsor"));
    await userEvent.click(screen.getByRole("button", { name: "Download" }));
    await waitFor(() => expect(box).toHaveValue(""));
    await paste(box, "https://youtu.be/abc");
    await userEvent.click(screen.getByRole("button", { name: "Download" }));
    await waitFor(() => expect(keys).toHaveLength(2));

    expect(keys[0]).not.toBe(keys[1]);
    expect(bodies[0]).toEqual({
      url: "https://youtu.be/abc",
      options: { embed_chapters: false, sponsorblock_remove: ["sponsor"] },
    });
  });
});
