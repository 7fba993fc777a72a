// Lighthouse (mobile, its defaults) on a signed-in page the way a returning
// user loads it: the browser profile holds the session and hint cookies
// from a real sign-in (Lighthouse's --extra-headers would send the session
// but leave document.cookie empty, so the app would take the signed-out
// path first). See docs/performance.md, "Dashboard (Lighthouse)".
//
//   node scripts/lighthouse.mjs URL EMAIL PASSWORD OUT.json
//
// Needs the registry (npx fetches lighthouse@13.5.0) and Chromium at
// /usr/bin/chromium (or CHROMIUM_PATH).
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";

const [url, email, password, out] = process.argv.slice(2);
if (!out) {
  console.error("usage: node scripts/lighthouse.mjs URL EMAIL PASSWORD OUT.json");
  process.exit(2);
}
const chrome = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const flags = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const profile = fs.mkdtempSync(path.join(os.tmpdir(), "downlink-lighthouse-"));
try {
  const ctx = await chromium.launchPersistentContext(profile, { executablePath: chrome, headless: true, args: flags });
  const res = await ctx.request.post(new URL("/api/v1/auth/login", url).toString(), {
    data: { email, password },
    headers: { Origin: new URL(url).origin },
  });
  if (!res.ok()) throw new Error(`sign-in answered ${res.status()}`);
  await ctx.close(); // the cookies are in the profile now
  execFileSync(
    "npx",
    ["-y", "lighthouse@13.5.0", url, "--disable-storage-reset", `--chrome-flags=--headless ${flags.join(" ")} --user-data-dir=${profile}`, "--output=json", `--output-path=${out}`, "--quiet"],
    { stdio: "inherit", env: { ...process.env, CHROME_PATH: chrome } },
  );
  const r = JSON.parse(fs.readFileSync(out, "utf8"));
  const a = r.audits;
  const ms = (k) => `${Math.round(a[k].numericValue)} ms`;
  const score = (c) => Math.round(r.categories[c].score * 100);
  console.log(
    `performance ${score("performance")}, accessibility ${score("accessibility")}, best practices ${score("best-practices")}; ` +
      `FCP ${ms("first-contentful-paint")}, LCP ${ms("largest-contentful-paint")}, TBT ${ms("total-blocking-time")}, ` +
      `speed index ${ms("speed-index")}, CLS ${a["cumulative-layout-shift"].numericValue.toFixed(3)}`,
  );
} finally {
  fs.rmSync(profile, { recursive: true, force: true });
}
