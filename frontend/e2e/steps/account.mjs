// Profile shows this browser's session; System shows versions.
export const profileStep = {
  name: "profile shows the session",
  async run({ page, expect, shoot }) {
    await page.getByRole("button", { name: /Account menu/ }).click();
    await page.getByRole("menuitem", { name: "Profile" }).click();
    await page.getByRole("heading", { name: "Profile", level: 1 }).waitFor();
    const current = page.getByTestId("session-row").filter({ hasText: "This device" });
    await current.waitFor();
    expect((await current.count()) === 1, "one current session");
    await shoot("profile");

    // A wrong current password is a 422 on that field: it shows under it.
    await page.getByLabel("Current password").fill("not my password");
    await page.getByLabel("New password", { exact: true }).fill("a brand new password");
    await page.getByLabel("Repeat new password").fill("a brand new password");
    await page.getByRole("button", { name: "Change password" }).click();
    const field = page.getByLabel("Current password");
    await page.waitForFunction(() => document.getElementById("pw-current")?.getAttribute("aria-invalid") === "true", null, { timeout: 10_000 });
    expect(await page.locator("#pw-current-error").isVisible(), "the server's message is under the field");
    await field.fill("");
  },
};

export const systemStep = {
  name: "system page and the API docs",
  async run({ page, shoot }) {
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "System" }).click();
    await page.getByRole("heading", { name: "Versions" }).waitFor();
    // The managed yt-dlp card (admins): this node runs the system yt-dlp
    // until an update; its version and age are shown.
    const ytdlp = page.getByRole("region", { name: "yt-dlp" });
    await ytdlp.getByRole("button", { name: "Check for updates" }).waitFor();
    await ytdlp.getByText("system", { exact: true }).first().waitFor();
    await ytdlp.getByText(/\d+ days? old/).first().waitFor();
    await shoot("system");
    // The page's "API docs" link: Swagger UI, served by the binary under its
    // own CSP, must fetch /openapi.yaml and render the contract's operations.
    const docs = await page.context().newPage();
    try {
      await docs.goto("/swagger/");
      await docs.locator(".info .title").filter({ hasText: "Downlink API" }).waitFor();
      await docs.locator('.opblock-summary-path[data-path="/api/v1/downloads"]').first().waitFor();
    } finally {
      await docs.close();
    }
  },
};

export const dashboardStep = {
  name: "dashboard with data",
  async run({ page, shoot }) {
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Dashboard" }).click();
    await page.getByRole("heading", { name: "Dashboard", level: 1 }).waitFor();
    await page.getByText("Recent failures").waitFor();
    await page.waitForLoadState("networkidle").catch(() => {});
    await shoot("dashboard");
  },
};

// Sign out, come back to a deep link: login sends you back there.
export const logoutLoginStep = {
  name: "sign out, sign in, return to the page",
  async run({ page, creds, shoot }) {
    await page.getByRole("button", { name: /Account menu/ }).click();
    await page.getByRole("menuitem", { name: "Sign out" }).click();
    await page.waitForURL("**/login");
    await page.goto("/files");
    await page.waitForURL((u) => u.pathname === "/login" && u.searchParams.get("next") === "/files");
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
    await shoot("login");
    await page.getByLabel("E-mail").fill(creds.email);
    await page.getByLabel("Password").fill("wrong password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("alert").filter({ hasText: /wrong|invalid/i }).waitFor();
    await page.getByLabel("Password").fill(creds.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL((u) => u.pathname === "/files");
    await page.getByRole("heading", { name: "Files", level: 1 }).waitFor();
  },
};
