import { statSync } from "node:fs";

// Play the downloaded file in the page and download it.
export const filesStep = {
  name: "play and download the file",
  async run({ page, expect, shoot }) {
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Files" }).click();
    await page.getByRole("heading", { name: "Files", level: 1 }).waitFor();
    const item = page.locator('[data-testid="file-item"][data-kind="video"]').first();
    await item.waitFor({ timeout: 15_000 });
    await page.getByTestId("storage-used").waitFor();
    await shoot("files");

    await item.getByRole("button", { name: /^Play / }).last().click();
    const player = page.getByTestId("player");
    await player.waitFor();
    await page.waitForFunction(
      () => {
        const v = document.querySelector('[data-testid="player"]');
        return v && (v.readyState >= 2 || v.currentTime > 0);
      },
      null,
      { timeout: 20_000 },
    );
    const state = await player.evaluate((v) => ({ readyState: v.readyState, duration: v.duration }));
    expect(state.readyState >= 2, `video readyState ${state.readyState} ≥ 2`);
    await shoot("files-player");
    await page.keyboard.press("Escape");
    await player.waitFor({ state: "hidden" });

    const [download] = await Promise.all([page.waitForEvent("download"), item.getByTestId("file-download").click()]);
    const path = await download.path();
    expect(download.suggestedFilename().endsWith(".webm"), `downloaded ${download.suggestedFilename()}`);
    expect(statSync(path).size > 10_000, "downloaded file has content");

    // Pin (retention keeps it), then unpin.
    await item.getByRole("button", { name: /^Pin / }).click();
    await item.getByText("pinned").waitFor();
    await item.getByRole("button", { name: /^Unpin / }).click();
    await item.getByText("pinned").waitFor({ state: "hidden" });

    await page.getByRole("button", { name: "List view" }).click();
    await page.getByTestId("file-item").first().waitFor();
    await shoot("files-list", { themes: ["light"] });
  },
};
