import { screen, waitFor, within } from "@testing-library/react";
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

const noPrefs = { download: { preset: null, audio_format: null, subtitles: null } };

/**
 * The form also reads and remembers the user's preferences; these tests look
 * at the downloads it sends, so fn sees every other request and `remembered`
 * the preferences it PUT.
 */
function stubFetch(fn: (req: Request) => Promise<Response>, prefs: unknown = noPrefs) {
  const remembered: unknown[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (req: Request) => {
      if (new URL(req.url).pathname !== "/api/v1/auth/me/preferences") return fn(req);
      if (req.method === "PUT") {
        const body = await req.json();
        remembered.push(body);
        return jsonResponse(200, body);
      }
      return jsonResponse(200, prefs);
    }),
  );
  return remembered;
}

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
    stubFetch(fetch);
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

  it.each([
    [true, 1],
    [false, 0],
  ])("a refusal a setting would lift links admins to it (admin %s)", async (isAdmin, links) => {
    const fix = { setting: "generic_sites_enabled", label: "Other sites", href: "/settings?tab=general" };
    stubFetch(
      vi.fn(async () =>
        problem(422, "Platform disabled", {
          detail: 'This site is not YouTube, Spotify or Instagram, and downloads from other sites are switched off. An administrator can turn on "Other sites" in Settings → General.',
          errors: [{ field: "url", message: "Other sites is switched off" }],
          fix,
        }),
      ),
    );
    renderWithClient(<NewDownloadForm isAdmin={isAdmin} />);
    await paste(screen.getByLabelText("Link to download"), "https://media.example.org/clip.mp4");
    await userEvent.click(screen.getByRole("button", { name: "Download" }));
    expect(await screen.findByText("Other sites is switched off")).toBeInTheDocument();
    expect(screen.queryAllByRole("link", { name: "Change “Other sites” in Settings" })).toHaveLength(links);
    if (isAdmin) expect(screen.getByRole("link", { name: "Change “Other sites” in Settings" })).toHaveAttribute("href", "/settings?tab=general");
  });

  it("sends a new Idempotency-Key per submission and only the options that were changed", async () => {
    const keys: string[] = [];
    const bodies: unknown[] = [];
    stubFetch(
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

  it("queues several pasted links one by one, each row with its own result", async () => {
    const posts: { url: string; key: string | null }[] = [];
    stubFetch(
      vi.fn(async (req: Request) => {
        const body = (await req.json()) as { url: string };
        posts.push({ url: body.url, key: req.headers.get("Idempotency-Key") });
        if (body.url.startsWith("http://127.0.0.1")) {
          return problem(422, "Link refused", { detail: "The link points at a loopback address; an admin can allow private networks in Settings." });
        }
        const n = posts.length;
        return jsonResponse(202, makeDownload({ id: `01931c2a-0000-7000-8000-00000000000${n}`, url: body.url, title: `Video ${n}` }));
      }),
    );
    renderWithClient(<NewDownloadForm />);
    const box = screen.getByLabelText("Link to download");
    await paste(box, "https://youtu.be/aaa\n\n  https://example.org/v.mp4  \nhttps://youtu.be/aaa\n   \nhttp://127.0.0.1:8080/x.mp4\n");
    expect(box).toHaveValue("https://youtu.be/aaa\n\n  https://example.org/v.mp4  \nhttps://youtu.be/aaa\n   \nhttp://127.0.0.1:8080/x.mp4\n");
    expect(screen.getByText("3 links")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Preview" })).toBeDisabled();
    await userEvent.click(screen.getByRole("button", { name: "Download 3" }));

    const results = await screen.findByRole("region", { name: "Results" });
    await within(results).findByText("2 of 3 links queued");
    // One POST per distinct link, in the order pasted, each with its own key.
    expect(posts.map((p) => p.url)).toEqual(["https://youtu.be/aaa", "https://example.org/v.mp4", "http://127.0.0.1:8080/x.mp4"]);
    expect(new Set(posts.map((p) => p.key)).size).toBe(3);

    const rows = within(results).getAllByRole("listitem");
    expect(rows).toHaveLength(3);
    expect(within(rows[0]!).getByText("https://youtu.be/aaa")).toBeInTheDocument();
    expect(within(rows[0]!).getByRole("link", { name: "Video 1" })).toHaveAttribute("href", "/?open=01931c2a-0000-7000-8000-000000000001");
    expect(within(rows[1]!).getByRole("link", { name: "Video 2" })).toHaveAttribute("href", "/?open=01931c2a-0000-7000-8000-000000000002");
    expect(within(rows[2]!).getByText("Link refused")).toBeInTheDocument();
    expect(within(rows[2]!).getByText(/points at a loopback address; an admin can allow private networks/)).toBeInTheDocument();
    expect(within(rows[2]!).queryByRole("link")).toBeNull();
    // The refused link stays in the box, to fix and send again.
    expect(box).toHaveValue("http://127.0.0.1:8080/x.mp4");
  });

  it("starts from what this user chose last, shows only the options that apply, and remembers the new choice", async () => {
    const bodies: unknown[] = [];
    const remembered = stubFetch(
      async (req) => {
        bodies.push(await req.json());
        return jsonResponse(202, makeDownload());
      },
      { download: { preset: "audio", audio_format: "mp3", subtitles: null } },
    );
    renderWithClient(<NewDownloadForm />);
    await userEvent.click(screen.getByRole("button", { name: "Options" }));
    await waitFor(() => expect(screen.getByLabelText("Quality")).toHaveTextContent("Audio only"));
    expect(screen.getByLabelText("Audio format")).toHaveTextContent("mp3");
    // Subtitles do not apply to audio.
    expect(screen.queryByLabelText("Subtitle languages")).toBeNull();

    await paste(screen.getByLabelText("Link to download"), "https://youtu.be/abc");
    await userEvent.click(screen.getByRole("button", { name: "Download" }));
    await waitFor(() => expect(remembered).toHaveLength(1));
    expect(bodies[0]).toEqual({ url: "https://youtu.be/abc", preset: "audio", options: { audio_format: "mp3" } });
    expect(remembered[0]).toEqual({ download: { preset: "audio", audio_format: "mp3", subtitles: null } });
  });

  it("names the line that is not a link and sends nothing", async () => {
    const fetch = vi.fn(async () => jsonResponse(202, makeDownload()));
    stubFetch(fetch);
    renderWithClient(<NewDownloadForm />);
    await paste(screen.getByLabelText("Link to download"), "https://youtu.be/aaa\nnot a link\n");
    await userEvent.click(screen.getByRole("button", { name: "Download 2" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Not a link: not a link");
    expect(fetch).not.toHaveBeenCalled();
  });

  it("warns about an item downloaded before, links it, and downloads again only when asked", async () => {
    const bodies: unknown[] = [];
    const fetch = vi.fn(async (req: Request) => {
      const body = await req.json();
      bodies.push(body);
      if (!(body as { allow_duplicate?: boolean }).allow_duplicate)
        return problem(409, "Already downloaded", {
          detail: "You downloaded “Big Buck Bunny” on 2026-12-01. Send allow_duplicate: true to download it again.",
          existing_download_id: "01931c2a-5e8f-7b40-9c3d-2e1f0a9b8c7d",
          existing_file_id: null,
        });
      return jsonResponse(202, makeDownload());
    });
    stubFetch(fetch);
    renderWithClient(<NewDownloadForm />);
    await paste(screen.getByLabelText("Link to download"), "https://youtu.be/abc");
    await userEvent.click(screen.getByRole("button", { name: "Download" }));

    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("Already downloaded");
    expect(alert).toHaveTextContent("You downloaded “Big Buck Bunny” on 2026-12-01.");
    expect(alert).not.toHaveTextContent("allow_duplicate");
    expect(within(alert).getByRole("link", { name: "Open the earlier download" })).toHaveAttribute(
      "href",
      expect.stringContaining("open=01931c2a-5e8f-7b40-9c3d-2e1f0a9b8c7d"),
    );
    expect(fetch).toHaveBeenCalledTimes(1);

    await userEvent.click(within(alert).getByRole("button", { name: "Download again" }));
    await waitFor(() => expect(fetch).toHaveBeenCalledTimes(2));
    expect(bodies[1]).toEqual({ url: "https://youtu.be/abc", allow_duplicate: true });
    await waitFor(() => expect(screen.queryByText("Already downloaded")).not.toBeInTheDocument());
  });
});
