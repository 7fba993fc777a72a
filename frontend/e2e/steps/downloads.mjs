// Paste the local media URL, preview it, download it and watch the bar fill.
export const downloadStep = {
  name: "download a local media URL with live progress",
  async run({ page, media, expect, shoot, state }) {
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Downloads" }).click();
    await page.getByRole("heading", { name: "Downloads", level: 1 }).waitFor();
    await shoot("downloads-empty", { themes: ["light"] });

    const box = page.getByLabel("Link to download");
    await box.fill("https://youtu.be/dQw4w9WgXcQ");
    expect((await page.getByTestId("url-platform").getAttribute("data-platform")) === "youtube", "youtu.be recognised as YouTube");
    await box.fill(media.url);
    expect((await page.getByTestId("url-platform").getAttribute("data-platform")) === "generic", "local URL is a generic site");

    await page.getByRole("button", { name: "Preview" }).click();
    await page.getByTestId("probe-preview").waitFor({ timeout: 60_000 });

    await page.getByRole("button", { name: "Download", exact: true }).click();
    const row = page.getByTestId("download-row").first();
    await row.waitFor({ timeout: 15_000 });

    // Follow the bar through the live event stream (no reloads).
    const seen = new Set();
    let shotTaken = false;
    const deadline = Date.now() + 120_000;
    for (;;) {
      const status = await row.getAttribute("data-status");
      const pct = await row.getByTestId("download-percent").textContent({ timeout: 100 }).catch(() => null);
      if (pct) seen.add(pct);
      if (status === "downloading" && pct && !shotTaken && parseFloat(pct) >= 25 && parseFloat(pct) < 95) {
        shotTaken = true;
        await shoot("downloads-progress", { themes: ["light"], axe: false });
      }
      if (status === "completed") break;
      if (status === "failed" || status === "canceled") {
        throw new Error(`download ended ${status}: ${await row.textContent()}`);
      }
      if (Date.now() > deadline) throw new Error(`download not completed in 120 s (status ${status})`);
      await page.waitForTimeout(150);
    }
    const values = [...seen].map((s) => parseFloat(s));
    state.progressSeen = values;
    expect(values.some((v) => v > 0 && v < 100), `saw the bar between 0 and 100% (saw ${[...seen].join(", ") || "nothing"})`);
    expect(await page.getByRole("status").filter({ hasText: "Live" }).count() > 0, "live indicator says Live");
    await shoot("downloads");

    // Play and save from the row: no detour through Files.
    expect((await row.getByRole("link", { name: /^Download / }).count()) === 1, "a completed row has a Download link");
    await row.getByRole("button", { name: /^Play / }).click();
    const player = page.getByRole("dialog").getByTestId("player");
    await player.waitFor({ timeout: 15_000 });
    await page.keyboard.press("Escape");
    await player.waitFor({ state: "hidden" });

    // Filters live in the URL, so a reload keeps them.
    await page.getByRole("combobox", { name: "Status" }).click();
    await page.getByRole("option", { name: "Completed" }).click();
    await page.waitForURL((u) => u.searchParams.get("status") === "completed");
    await page.reload();
    await page.getByTestId("download-row").first().waitFor();
    expect((await page.getByRole("combobox", { name: "Status" }).textContent()).includes("Completed"), "status filter survives a reload");
    await page.getByRole("combobox", { name: "Status" }).click();
    await page.getByRole("option", { name: "Failed" }).click();
    await page.getByText("No downloads match").waitFor();
    await page.getByRole("combobox", { name: "Status" }).click();
    await page.getByRole("option", { name: "All statuses" }).click();
    await page.waitForURL((u) => !u.searchParams.has("status"));

    // The detail drawer: fields, files and (admin) the log.
    await row.getByRole("button").filter({ hasText: /./ }).nth(0).click();
    const drawer = page.getByRole("dialog");
    await drawer.waitFor();
    await drawer.getByRole("heading", { name: "Files" }).waitFor();
    await drawer.getByRole("heading", { name: "Log" }).waitFor();
    await shoot("download-detail");
    await page.keyboard.press("Escape");
    await drawer.waitFor({ state: "hidden" });
  },
};

// A slow download: cancel it, retry it, then delete it together with its files.
export const cancelRetryDeleteStep = {
  name: "cancel, retry and delete a download",
  async run({ page, media, expect }) {
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Downloads" }).click();
    await page.getByRole("heading", { name: "Downloads", level: 1 }).waitFor();
    await page.getByLabel("Link to download").fill(`${media.url}?rate=20000`);
    await page.getByRole("button", { name: "Download", exact: true }).click();
    const row = page.locator('[data-testid="download-row"]').first();
    await page.waitForFunction(
      () => ["fetching_info", "downloading"].includes(document.querySelector('[data-testid="download-row"]')?.getAttribute("data-status") ?? ""),
      null,
      { timeout: 30_000 },
    );
    const id = await row.getAttribute("data-id");
    const byId = page.locator(`[data-testid="download-row"][data-id="${id}"]`);
    const menu = () => byId.getByRole("button", { name: /^Actions for / });

    await menu().click();
    await page.getByRole("menuitem", { name: "Cancel" }).click();
    await page.waitForFunction((i) => document.querySelector(`[data-id="${i}"]`)?.getAttribute("data-status") === "canceled", id, { timeout: 20_000 });

    await menu().click();
    await page.getByRole("menuitem", { name: "Retry" }).click();
    await page.waitForFunction((i) => document.querySelector(`[data-id="${i}"]`)?.getAttribute("data-status") !== "canceled", id, { timeout: 20_000 });

    await menu().click();
    await page.getByRole("menuitem", { name: "Delete…" }).click();
    const confirm = page.getByRole("alertdialog");
    await confirm.getByLabel(/Also delete its files/).check();
    await confirm.getByRole("button", { name: "Delete with files" }).click();
    await byId.waitFor({ state: "detached", timeout: 20_000 });
    expect((await byId.count()) === 0, "the deleted download left the list");
  },
};

// A link nothing answers: the row fails, and its detail says why (not
// "network error"), with yt-dlp's last lines and, for an admin, its log records.
export const failedDownloadStep = {
  name: "a failed download says why",
  async run({ page, expect, shoot }) {
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Downloads" }).click();
    await page.getByRole("heading", { name: "Downloads", level: 1 }).waitFor();
    await page.getByLabel("Link to download").fill("http://127.0.0.1:1/nothing-here.mp4");
    await page.getByRole("button", { name: "Download", exact: true }).click();
    const row = page.locator('[data-testid="download-row"][data-status="failed"]').first();
    await row.waitFor({ timeout: 90_000 });
    await row.getByTestId("download-title").click();
    const drawer = page.getByRole("dialog");
    await drawer.getByText("Connection refused", { exact: true }).waitFor();
    expect(!((await drawer.textContent()) ?? "").includes("Network error"), "a refusal before anything started is not a network error");
    await drawer.getByText("Technical details").click();
    const details = (await drawer.getByTestId("technical-details").textContent()) ?? "";
    expect(details.includes("ERROR:"), `technical details show yt-dlp's error line (${details})`);
    await drawer.getByRole("link", { name: "Log records of this download" }).click();
    await page.waitForURL((u) => u.pathname === "/logs" && u.searchParams.has("download"));
    await page.getByTestId("log-row").first().waitFor({ timeout: 15_000 });
    await shoot("download-failed-logs", { themes: ["light"] });
  },
};
