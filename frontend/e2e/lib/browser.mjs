// Chromium through playwright-core (Debian's /usr/bin/chromium; nothing is
// downloaded), plus the journey's helpers: screenshots in both themes,
// axe-core checks and a record of page errors.
import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

export const chromiumFlags = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  // Lets the player start without a click; the test still clicks Play.
  "--autoplay-policy=no-user-gesture-required",
];

export async function launch({ baseURL, tmp }) {
  // A fresh profile inside the run's temp dir, removed with it.
  const userDataDir = join(tmp, "chromium-profile");
  mkdirSync(userDataDir);
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    args: chromiumFlags,
    baseURL,
    viewport: { width: 1280, height: 860 },
    // The live dot's ping and the skeletons' pulse repaint every frame for
    // as long as they show (~9 CPU-s of Chromium over the journey); they
    // honour the reduced-motion preference, as a user who asks for it sees.
    reducedMotion: "reduce",
    acceptDownloads: true,
    downloadsPath: join(tmp, "downloads"),
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const problems = [];
  page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
  page.on("console", (msg) => {
    // CSP violations mean the built UI does something the server forbids.
    if (msg.type() === "error" && /Content Security Policy/i.test(msg.text())) problems.push(`CSP: ${msg.text()}`);
  });
  return { context, page, problems, userDataDir };
}

/** Sets the theme the way the toggle does (localStorage + class on <html>). */
export async function setTheme(page, theme) {
  await page.evaluate((t) => {
    localStorage.setItem("downlink-theme", t);
    document.documentElement.classList.toggle("dark", t === "dark");
  }, theme);
}

/**
 * Screenshots of the current page in light and dark into `dir`, with an axe
 * check in each theme (colour contrast differs). Returns the files written.
 */
export async function capture(page, dir, name, { themes = ["light", "dark"], suffix = "", axe = true, fullPage = false } = {}) {
  mkdirSync(dir, { recursive: true });
  const files = [];
  const violations = [];
  for (const theme of themes) {
    await setTheme(page, theme);
    await page.waitForTimeout(150); // let transitions settle
    // axe sees the page as it is, toasts included; the picture leaves them out.
    if (axe) violations.push(...(await axeCheck(page, `${name}${suffix} (${theme})`)));
    const file = join(dir, `${name}${suffix}-${theme}.png`);
    await page.screenshot({ path: file, fullPage, animations: "disabled", style: "[data-sonner-toaster] { display: none !important; }" });
    files.push(file);
  }
  await setTheme(page, "light");
  return { files, violations };
}

/** Runs axe-core on the page; returns the serious and critical violations as lines. */
export async function axeCheck(page, label) {
  // Colours measured mid-transition (a theme switch, a toast fading in) are
  // not the ones people see: wait for finite animations to end first.
  await page
    .waitForFunction(
      () => document.getAnimations().every((a) => a.playState !== "running" || !Number.isFinite(a.effect?.getComputedTiming().endTime)),
      null,
      { timeout: 5_000, polling: 100 },
    )
    .catch(() => {});
  // Runtime.evaluate is not subject to the page's CSP, unlike a <script> tag.
  const has = await page.evaluate(() => typeof window.axe !== "undefined");
  if (!has) await page.evaluate(axeSource);
  // With a modal open the rest of the page is inert (aria-hidden, dimmed):
  // check the dialog, which is all a user can reach.
  const result = await page.evaluate(() =>
    window.axe.run(document.querySelector('[role="dialog"][data-state="open"], [role="alertdialog"][data-state="open"]') ?? document, { resultTypes: ["violations"], runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] } }),
  );
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${label}: [${v.impact}] ${v.id} — ${v.help} (${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")})`);
}

/**
 * How far the page is wider than the window, in px, and what sticks out:
 * the outermost elements whose right edge passes the window's (so a
 * failure names the culprit, not just the number).
 */
export async function horizontalOverflow(page) {
  return page.evaluate(() => {
    const px = document.documentElement.scrollWidth - window.innerWidth;
    if (px <= 1) return { px, culprits: "" };
    const describe = (el) => {
      const cls = typeof el.className === "string" ? el.className.trim().split(/\s+/).slice(0, 4).join(".") : "";
      const text = (el.textContent ?? "").trim().replace(/\s+/g, " ").slice(0, 40);
      return `<${el.tagName.toLowerCase()}${cls ? "." + cls : ""}> ${Math.round(el.getBoundingClientRect().right)}px "${text}"`;
    };
    const wide = [...document.body.querySelectorAll("*")].filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1);
    const outermost = wide.filter((el) => !wide.includes(el.parentElement));
    return { px, culprits: outermost.slice(0, 3).map(describe).join("; ") };
  });
}
