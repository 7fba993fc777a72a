/// <reference types="node" />
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { jsonResponse, makeDownload, problem } from "@/test/fixtures";

// The bookmarklet exactly as docs/clients.md prints it, with a server and a key filled in.
function bookmarklet(server: string, key: string) {
  const doc = readFileSync(resolve(process.cwd(), "../docs/clients.md"), "utf8");
  const code = /```js\n(javascript:.*)\n```/.exec(doc)?.[1];
  if (!code) throw new Error("docs/clients.md has no javascript: bookmarklet in a js block");
  expect(code).toContain('D="https://downlink.example.com",K="dlk_…"');
  return code.replace("https://downlink.example.com", server).replace("dlk_…", key).slice("javascript:".length);
}

async function click(code: string, answer: Response | Error) {
  const fetch = vi.fn(async (_url: string, _init: RequestInit) => {
    if (answer instanceof Error) throw answer;
    return answer;
  });
  const alert = vi.fn();
  vi.stubGlobal("fetch", fetch);
  vi.stubGlobal("alert", alert);
  new Function(code)();
  await vi.waitFor(() => expect(alert).toHaveBeenCalledTimes(1));
  return { fetch, alert: alert.mock.calls[0]![0] as string };
}

describe("docs/clients.md bookmarklet", () => {
  const server = "https://dl.example.net";
  const key = "dlk_ppvF360iKSaeRJNpstz9kwhFDsQtb2e5a8xOVP4CMUN1uN1TJ";

  it("posts the page's address with the key and says what was queued", async () => {
    const { fetch, alert } = await click(bookmarklet(server, key), jsonResponse(202, makeDownload({ title: "Never Gonna Give You Up" })));
    const [url, init] = fetch.mock.calls[0]!;
    expect(url).toBe(`${server}/api/v1/downloads`);
    expect(init.method).toBe("POST");
    expect(init.headers).toEqual({ Authorization: `Bearer ${key}`, "Content-Type": "application/json" });
    expect(JSON.parse(init.body as string)).toEqual({ url: window.location.href });
    expect(alert).toBe("Downlink: queued Never Gonna Give You Up");
  });

  it("shows the problem's title and detail when Downlink refuses", async () => {
    const { alert } = await click(
      bookmarklet(server, key),
      problem(422, "Link refused", { detail: "Downloads from other sites are turned off; an admin can turn on Other sites in Settings." }),
    );
    expect(alert).toBe("Downlink: Link refused\nDownloads from other sites are turned off; an admin can turn on Other sites in Settings.");
  });

  it("says it could not reach the server when the browser blocks the request", async () => {
    const { alert } = await click(bookmarklet(server, key), new TypeError("Failed to fetch"));
    expect(alert).toBe(`Downlink: could not reach ${server} (Failed to fetch)`);
  });
});
