import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import type { Schemas } from "@/lib/api/client";
import { YtdlpCard } from "@/features/ytdlp/components/ytdlp-card";
import { jsonResponse } from "@/test/fixtures";
import { renderWithClient } from "@/test/render";

const tool = (over: Partial<Schemas["YtdlpTool"]> = {}): Schemas["YtdlpTool"] => ({
  version: "2026.10.26",
  source: "system",
  path: "/usr/bin/yt-dlp",
  released_on: "2026-10-26",
  age_days: 42,
  error: null,
  ...over,
});

const node = (over: Partial<Schemas["YtdlpNode"]> = {}): Schemas["YtdlpNode"] => ({
  node: "api",
  alive: true,
  active: tool(),
  previous: null,
  latest: null,
  update_available: false,
  operation: null,
  updated_at: "2026-12-07T00:00:00Z",
  ...over,
});

const status = (nodes: Schemas["YtdlpNode"][], over: Partial<Schemas["YtdlpStatus"]> = {}): Schemas["YtdlpStatus"] => ({
  settings: { mode: "notify", channel: "stable" },
  nodes,
  versions_differ: false,
  ...over,
});

const latest = (version: string): Schemas["YtdlpLatest"] => ({ version, channel: "stable", checked_at: new Date().toISOString(), ok: true, error: null });

/** Answers GET /system/ytdlp with `current()` and records every request. */
function server(current: () => Schemas["YtdlpStatus"], post: (path: string, body: unknown) => Response) {
  const fetch = vi.fn(async (req: Request) => {
    const path = new URL(req.url).pathname;
    if (req.method === "GET") return jsonResponse(200, current());
    return post(path, req.headers.get("content-type")?.includes("json") ? await req.json() : null);
  });
  vi.stubGlobal("fetch", fetch);
  return fetch;
}

describe("YtdlpCard", () => {
  it("shows each node's yt-dlp, where it comes from, its age, the latest release, and that the nodes differ", async () => {
    server(
      () =>
        status(
          [
            node({ node: "api", active: tool({ version: "2026.11.02", source: "managed", age_days: 5 }), previous: tool(), latest: latest("2026.11.02") }),
            node({ node: "worker-1", active: tool({ age_days: 75 }), latest: latest("2026.11.02"), update_available: true }),
          ],
          { versions_differ: true },
        ),
      () => jsonResponse(500, {}),
    );
    renderWithClient(<YtdlpCard serving="api" />);
    const api = await screen.findByTestId("ytdlp-node-api");
    expect(api).toHaveTextContent("2026.11.02");
    expect(within(api).getByText("managed")).toBeInTheDocument();
    expect(api).toHaveTextContent("5 days old");
    expect(api).toHaveTextContent("2026.10.26"); // its rollback target
    const worker = screen.getByTestId("ytdlp-node-worker-1");
    expect(within(worker).getByText("system")).toBeInTheDocument();
    expect(within(worker).getByText("75 days old")).toBeInTheDocument();
    expect(within(worker).getByText("update available")).toBeInTheDocument();
    expect(screen.getByText(/nodes run different yt-dlp versions/)).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Update to 2026.11.02" })).toBeEnabled();
  });

  it("checks for updates, then updates every node to what the check found, showing progress and the result", async () => {
    let state = status([node()]);
    const posts: { path: string; body: unknown }[] = [];
    server(
      () => state,
      (path, body) => {
        posts.push({ path, body });
        const op = { id: "op-1", action: path.endsWith("/check") ? "check" : "update" } as const;
        if (op.action === "check") {
          state = status([node({ latest: latest("2030.01.01"), update_available: true })]);
        } else {
          state = status([
            node({
              latest: latest("2030.01.01"),
              update_available: true,
              operation: {
                ...op, status: "running", phase: "downloading", target_version: "2030.01.01", code: null, message: "",
                bytes_done: 3 << 20, bytes_total: 6 << 20, requested_by: "admin@example.com", started_at: new Date().toISOString(), finished_at: null,
              },
            }),
          ]);
        }
        return jsonResponse(202, { operation_id: "op-1", action: op.action, nodes: ["api"], skipped: [] });
      },
    );
    renderWithClient(<YtdlpCard serving="api" />);
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Check for updates" }));
    const update = await screen.findByRole("button", { name: "Update to 2030.01.01" });
    expect(posts[0]).toEqual({ path: "/api/v1/system/ytdlp/check", body: {} });

    await user.click(update);
    await waitFor(() => expect(posts[1]).toEqual({ path: "/api/v1/system/ytdlp/update", body: { version: "2030.01.01" } }));
    const progress = await screen.findByRole("progressbar", { name: "Update progress" });
    expect(progress).toHaveAttribute("aria-valuenow", "50");
    expect(screen.getByRole("status")).toHaveTextContent("Update: Downloading 3.0 MB of 6.0 MB");
    // While a node works, the buttons wait.
    expect(screen.getByRole("button", { name: "Check for updates" })).toBeDisabled();

    state = status([
      node({
        active: tool({ version: "2030.01.01", source: "managed", age_days: 0 }),
        previous: tool(),
        latest: latest("2030.01.01"),
        operation: {
          id: "op-1", action: "update", status: "succeeded", phase: "switching", target_version: "2030.01.01", code: null,
          message: "updated from the system yt-dlp 2026.10.26 to yt-dlp 2030.01.01", bytes_done: 6 << 20, bytes_total: 6 << 20,
          requested_by: "admin@example.com", started_at: new Date().toISOString(), finished_at: new Date().toISOString(),
        },
      }),
    ]);
    // The view polls every second while an operation runs.
    expect(await screen.findByText("updated from the system yt-dlp 2026.10.26 to yt-dlp 2030.01.01", {}, { timeout: 3000 })).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Up to date" })).toBeDisabled();
    expect(screen.getByRole("button", { name: "Roll back" })).toBeEnabled();
  });

  it("says why a release was refused", async () => {
    server(
      () =>
        status([
          node({
            operation: {
              id: "op-2", action: "update", status: "failed", phase: "verifying", target_version: "2030.01.01", code: "bad_signature",
              message: "the signature of SHA2-256SUMS does not verify with yt-dlp's signing key: the release may have been tampered with",
              bytes_done: 0, bytes_total: null, requested_by: "admin@example.com", started_at: new Date().toISOString(), finished_at: new Date().toISOString(),
            },
          }),
        ]),
      () => jsonResponse(500, {}),
    );
    renderWithClient(<YtdlpCard serving="api" />);
    const row = await screen.findByTestId("ytdlp-node-api");
    expect(within(row).getByText("Update failed")).toBeInTheDocument();
    expect(row).toHaveTextContent("may have been tampered with");
  });

  it("asks before rolling back, then sends the rollback", async () => {
    const fetch = server(
      () => status([node({ active: tool({ version: "2030.01.01", source: "managed" }), previous: tool() })]),
      () => jsonResponse(202, { operation_id: "op-3", action: "rollback", nodes: ["api"], skipped: [] }),
    );
    renderWithClient(<YtdlpCard serving="api" />);
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Roll back" }));
    const dialog = await screen.findByRole("alertdialog", { name: "Roll back yt-dlp?" });
    await user.click(within(dialog).getByRole("button", { name: "Roll back" }));
    await waitFor(() => expect(fetch.mock.calls.some(([r]) => r.method === "POST" && new URL(r.url).pathname === "/api/v1/system/ytdlp/rollback")).toBe(true));
  });

  it("uploads a release's files as sums, sig, then the build, and shows why they were refused", async () => {
    let sent: FormData | null = null;
    vi.stubGlobal("fetch", async (req: Request) => {
      if (req.method === "GET") return jsonResponse(200, status([node()]));
      sent = await req.formData();
      return jsonResponse(
        422,
        {
          type: "https://downlink.dev/problems/yt-dlp-release-refused",
          title: "yt-dlp release refused",
          status: 422,
          detail: "the file is yt-dlp_macos; this machine runs yt-dlp_linux",
          code: "no_build",
        },
        "application/problem+json",
      );
    });
    renderWithClient(<YtdlpCard serving="api" />);
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Upload release files" }));
    const dialog = await screen.findByRole("dialog", { name: "Install yt-dlp from files" });
    expect(dialog).toHaveTextContent("installed on api");
    await user.upload(within(dialog).getByLabelText("Build"), new File(["build"], "yt-dlp_macos"));
    await user.upload(within(dialog).getByLabelText("SHA2-256SUMS"), new File(["sums"], "SHA2-256SUMS"));
    await user.upload(within(dialog).getByLabelText("SHA2-256SUMS.sig"), new File(["sig"], "SHA2-256SUMS.sig"));
    await user.click(within(dialog).getByRole("button", { name: "Verify and install" }));
    expect(await within(dialog).findByRole("alert")).toHaveTextContent("the file is yt-dlp_macos; this machine runs yt-dlp_linux");
    expect([...sent!.keys()]).toEqual(["sums", "sig", "file"]);
  });
});
