#!/usr/bin/env node
// The browser journey against a real `downlink serve` (SQLite, temp data
// dir, private networks allowed) and media served on 127.0.0.1.
//
//   npm run e2e                     builds downlink with `go build` first
//   DOWNLINK_BIN=/path npm run e2e  uses that binary (it embeds the UI it was built with)
//   E2E_SCREENSHOTS=0               skips writing docs/screenshots/
//
// Steps run in order on one signed-in browser; to add a page, write a step
// module under steps/ and add it to `journey` before the sign-out step. Each
// step gets the context `ctx` built below (a webhook receiver included). The
// last step is no page: the generated TypeScript client's flow over HTTP.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { axeCheck, capture, launch } from "./lib/browser.mjs";
import { makeVideo, serveFile } from "./lib/media.mjs";
import { startReceiver } from "./lib/receiver.mjs";
import { startReleases } from "./lib/releases.mjs";
import { downlinkBinary, startServer } from "./lib/server.mjs";
import { dashboardStep, logoutLoginStep, profileStep, systemStep } from "./steps/account.mjs";
import { apiKeyStep } from "./steps/api-keys.mjs";
import { cancelRetryDeleteStep, downloadStep, failedDownloadStep } from "./steps/downloads.mjs";
import { filesStep } from "./steps/files.mjs";
import { logsStep } from "./steps/logs.mjs";
import { mobileStep } from "./steps/mobile.mjs";
import { peopleStep, shareStep } from "./steps/people.mjs";
import { rememberedOptionsStep, settingsStep, webhookStep } from "./steps/settings.mjs";
import { setupStep, themeStep } from "./steps/setup.mjs";
import { tsClientStep } from "./steps/ts-client.mjs";
import { adminMobileStep, usersStep } from "./steps/users.mjs";
import { ytdlpStep } from "./steps/ytdlp.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, "../..");
const shotsDir = join(repoRoot, "docs", "screenshots");

export const journey = [
  setupStep,
  themeStep,
  downloadStep,
  filesStep,
  cancelRetryDeleteStep,
  failedDownloadStep,
  profileStep,
  systemStep,
  ytdlpStep,
  dashboardStep,
  apiKeyStep,
  logsStep,
  settingsStep,
  rememberedOptionsStep,
  webhookStep,
  usersStep,
  peopleStep,
  shareStep,
  adminMobileStep,
  logoutLoginStep,
  mobileStep,
  tsClientStep,
];

class CheckFailed extends Error {}

// E2E_STEPS=share,people runs the first (setup) step and those whose names start so (a quick local check).
const only = process.env.E2E_STEPS?.split(",").filter(Boolean);
const steps = only ? journey.filter((st, i) => i === 0 || only.some((o) => st.name.startsWith(o))) : journey;

async function main() {
  const started = Date.now();
  const tmp = mkdtempSync(join(tmpdir(), "downlink-e2e-"));
  mkdirSync(join(tmp, "downloads"));
  const cleanups = [];
  const cleanup = async () => {
    while (cleanups.length) await cleanups.pop()().catch((e) => console.error("cleanup:", e.message));
  };
  for (const sig of ["SIGINT", "SIGTERM"]) {
    process.once(sig, () => cleanup().finally(() => process.exit(130)));
  }
  const violations = [];
  const screenshots = [];
  let failed = null;
  let server;
  try {
    const bin = downlinkBinary(repoRoot, tmp);
    const video = makeVideo(tmp);
    // ~1.3 MB at 300 KB/s: a few seconds of visible progress.
    const media = await serveFile(video, { bytesPerSecond: 300 * 1024 });
    cleanups.push(media.close);
    const receiver = await startReceiver();
    cleanups.push(receiver.close);
    const releases = await startReleases({ repoRoot, tmp, version: "2030.01.01" });
    cleanups.push(releases.close);
    releases.first = "2030.01.01";
    releases.tampered = "2030.02.02";
    server = await startServer({ bin, tmp, releases });
    cleanups.push(server.stop);
    console.log(`downlink on ${server.baseURL}, media at ${media.url}`);

    const { context, page, problems } = await launch({ baseURL: server.baseURL, tmp });
    cleanups.push(() => context.close());

    const ctx = {
      page,
      baseURL: server.baseURL,
      token: server.token,
      tmp,
      media,
      receiver,
      releases,
      creds: { name: "Ada Lovelace", email: "ada@example.com", password: "correct horse battery staple" },
      state: {},
      expect(cond, what) {
        if (!cond) throw new CheckFailed(`expected: ${what}`);
      },
      /** axe only, no screenshot. */
      async check(label) {
        violations.push(...(await axeCheck(page, label)));
      },
      /** Screenshots in light and dark (docs/screenshots) plus axe in each. */
      async shoot(name, opts = {}) {
        if (process.env.E2E_SCREENSHOTS === "0") {
          if (opts.axe !== false) violations.push(...(await axeCheck(page, name + (opts.suffix ?? ""))));
          return;
        }
        const r = await capture(page, shotsDir, name, opts);
        screenshots.push(...r.files);
        violations.push(...r.violations);
      },
    };

    for (const step of steps) {
      const t0 = Date.now();
      process.stdout.write(`• ${step.name} … `);
      try {
        await step.run(ctx);
      } catch (err) {
        console.log("FAILED");
        await page.screenshot({ path: join(tmp, "failure.png"), fullPage: true }).catch(() => {});
        throw new Error(`step "${step.name}": ${err.message}\n  (page: ${page.url()}, screenshot: ${join(tmp, "failure.png")}, server log: ${server.logFile})`);
      }
      console.log(`ok (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    }
    if (problems.length) throw new Error(`the page reported errors:\n  ${problems.join("\n  ")}`);
    if (violations.length) throw new Error(`accessibility (axe) serious/critical violations:\n  ${violations.join("\n  ")}`);
  } catch (err) {
    failed = err;
  } finally {
    await cleanup();
    if (!failed) rmSync(tmp, { recursive: true, force: true });
  }
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  if (screenshots.length) console.log(`${screenshots.length} screenshots in ${shotsDir}`);
  if (failed) {
    console.error(`\ne2e FAILED after ${secs} s: ${failed.message}`);
    console.log(`0 passed, 1 failed`);
    process.exit(1);
  }
  console.log(`\ne2e journey passed in ${secs} s (${steps.length} steps)`);
  console.log(`${steps.length} passed, 0 failed`);
}

await main();
