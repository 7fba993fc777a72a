// First run: a fresh server has no users, so "/" ends on the setup page.
export const setupStep = {
  name: "first-run setup",
  async run({ page, token, creds, shoot }) {
    await page.goto("/");
    await page.waitForURL("**/setup", { timeout: 15_000 });
    await page.getByRole("heading", { name: "Set up Downlink" }).waitFor();
    await shoot("setup");
    await page.getByLabel("Setup token").fill(token);
    await page.getByLabel("Your name").fill(creds.name);
    await page.getByLabel("E-mail").fill(creds.email);
    await page.getByLabel("Password").fill(creds.password);
    await page.getByRole("button", { name: "Create admin account" }).click();
    await page.waitForURL((u) => u.pathname === "/", { timeout: 15_000 });
    await page.getByRole("heading", { name: "Dashboard", level: 1 }).waitFor();
  },
};

// The theme menu switches the class on <html> and remembers the choice.
export const themeStep = {
  name: "theme toggle",
  async run({ page, expect }) {
    await page.getByRole("button", { name: /Change theme/ }).click();
    await page.getByRole("menuitemradio", { name: "Dark" }).click();
    expect(await page.evaluate(() => document.documentElement.classList.contains("dark")), "dark class on <html>");
    expect((await page.evaluate(() => localStorage.getItem("downlink-theme"))) === "dark", "theme persisted");
    // index.html's inline script (allowed by the CSP's hash) sets it before
    // any of the app's JavaScript runs: with the app's scripts refused, a
    // reload is still dark (a CSP refusal would also fail the journey).
    await page.route("**/assets/*.js", (route) => route.abort());
    await page.reload();
    expect(await page.evaluate(() => document.documentElement.classList.contains("dark")), "dark before the app's scripts");
    await page.unroute("**/assets/*.js");
    await page.reload();
    await page.getByRole("button", { name: /Change theme/ }).click();
    await page.getByRole("menuitemradio", { name: "Light" }).click();
    expect(!(await page.evaluate(() => document.documentElement.classList.contains("dark"))), "light again");
  },
};
