import { horizontalOverflow } from "../lib/browser.mjs";

const nav = (page, name) => page.getByRole("navigation", { name: "Main" }).getByRole("link", { name, exact: true }).click();

// Give yourself a quota; demoting the only admin is refused with a clear banner.
export const usersStep = {
  name: "users: quota, the last-admin refusal",
  async run({ page, expect, shoot, creds }) {
    await nav(page, "Users");
    await page.getByRole("heading", { name: "Users", level: 1 }).waitFor();
    const row = page.getByTestId("user-row").filter({ hasText: creds.email });
    await row.waitFor();

    await row.getByRole("button", { name: `Actions for ${creds.name}` }).click();
    await page.getByRole("menuitem", { name: "Storage quota…" }).click();
    const dialog = page.getByRole("dialog", { name: `Storage quota of ${creds.name}` });
    await dialog.getByLabel(/Use the default quota/).click();
    await dialog.getByLabel("Quota", { exact: true }).fill("10");
    await dialog.getByRole("button", { name: "Save quota" }).click();
    await dialog.waitFor({ state: "hidden" });
    await row.getByTestId("user-storage").filter({ hasText: "of 10 GB" }).waitFor();
    await page.mouse.move(1, 1);
    await shoot("users");

    await row.getByRole("combobox", { name: `Role of ${creds.name}` }).click();
    await page.getByRole("option", { name: "User" }).click();
    await page.getByRole("alertdialog", { name: "Stop being an admin?" }).getByRole("button", { name: "Make me a user" }).click();
    const banner = page.getByTestId("users-conflict");
    await banner.waitFor();
    expect(((await banner.textContent()) ?? "").includes("last active admin"), "the 409 says why and what to do");
    expect(((await row.getByRole("combobox", { name: `Role of ${creds.name}` }).textContent()) ?? "").includes("Admin"), "the role stays admin");
    await banner.getByRole("button", { name: "Dismiss" }).click();
  },
};

// The admin pages at a 375 px phone width: they fit, pass axe, and have screenshots.
export const adminMobileStep = {
  name: "admin pages at 375 px",
  async run({ page, expect, shoot, check }) {
    await page.setViewportSize({ width: 375, height: 812 });
    try {
      for (const [path, heading, name] of [
        ["/api-keys", "API keys", "api-keys"],
        ["/logs", "Logs", "logs"],
        ["/settings", "Settings", "settings"],
        ["/users", "Users", "users"],
        ["/settings?tab=platforms", "Settings", null],
        ["/settings?tab=webhooks", "Settings", null],
        ["/settings?tab=storage", "Settings", null],
      ]) {
        await page.goto(path);
        await page.getByRole("heading", { name: heading, level: 1 }).waitFor();
        await page.waitForLoadState("networkidle").catch(() => {});
        await page.waitForTimeout(200);
        const overflow = await horizontalOverflow(page);
        expect(overflow.px <= 1, `${path} fits 375 px (overflows by ${overflow.px}px: ${overflow.culprits})`);
        if (name) await shoot(name, { suffix: "-mobile" });
        else await check(`${path} (mobile)`);
      }
      // The usage sheet and the new-key form on a phone.
      await page.goto("/api-keys");
      await page.getByTestId("api-key-row").first().getByRole("button", { name: /^Usage of / }).click();
      await page.getByTestId("usage-total").waitFor();
      await check("api key usage (mobile)");
      await page.keyboard.press("Escape");
      await page.getByRole("button", { name: "New API key" }).click();
      await page.getByRole("dialog", { name: "New API key" }).waitFor();
      await check("new api key (mobile)");
      await page.keyboard.press("Escape");
    } finally {
      await page.setViewportSize({ width: 1280, height: 860 });
    }
  },
};
