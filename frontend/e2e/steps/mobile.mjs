// The key screens at a 375 px phone width, and the navigation drawer.
import { horizontalOverflow } from "../lib/browser.mjs";
export const mobileStep = {
  name: "375 px phone layout",
  async run({ page, expect, shoot, check }) {
    await page.setViewportSize({ width: 375, height: 812 });
    try {
      for (const [path, heading, name] of [
        ["/", "Dashboard", "dashboard"],
        ["/downloads", "Downloads", "downloads"],
        ["/files", "Files", "files"],
      ]) {
        await page.goto(path);
        await page.getByRole("heading", { name: heading, level: 1 }).waitFor();
        const overflow = await horizontalOverflow(page);
        expect(overflow.px <= 1, `${path} fits 375 px (overflows by ${overflow.px}px: ${overflow.culprits})`);
        await shoot(name, { suffix: "-mobile" });
      }
      // The header while live updates are down ("Reconnecting…" is the
      // widest state of the live indicator): still fits.
      await page.route("**/api/v1/events**", (route) => route.abort());
      try {
        await page.goto("/");
        await page.locator('[role="status"][data-status="reconnecting"]').waitFor();
        const overflow = await horizontalOverflow(page);
        expect(overflow.px <= 1, `the header with live updates down fits 375 px (overflows by ${overflow.px}px: ${overflow.culprits})`);
      } finally {
        await page.unroute("**/api/v1/events**");
      }
      // The other pages: no screenshots, but they must fit and pass axe too.
      for (const [path, heading] of [
        ["/profile", "Profile"],
        ["/system", "System"],
      ]) {
        await page.goto(path);
        await page.getByRole("heading", { name: heading, level: 1 }).waitFor();
        await page.waitForLoadState("networkidle").catch(() => {});
        const overflow = await horizontalOverflow(page);
        expect(overflow.px <= 1, `${path} fits 375 px (overflows by ${overflow.px}px: ${overflow.culprits})`);
        await check(heading.toLowerCase() + "-mobile");
      }
      await page.getByRole("button", { name: "Open navigation" }).click();
      const drawer = page.getByRole("dialog");
      await drawer.getByRole("link", { name: "System" }).waitFor();
      await shoot("nav-drawer", { suffix: "-mobile", themes: ["light"], fullPage: false });
      await drawer.getByRole("link", { name: "Downloads" }).click();
      await page.getByRole("heading", { name: "Downloads", level: 1 }).waitFor();
      await drawer.waitFor({ state: "hidden" });
    } finally {
      await page.setViewportSize({ width: 1280, height: 860 });
    }
  },
};
