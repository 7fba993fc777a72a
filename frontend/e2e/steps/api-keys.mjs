import { execFileSync } from "node:child_process";

const nav = (page, name) => page.getByRole("navigation", { name: "Main" }).getByRole("link", { name, exact: true }).click();

// Create a key with the default scopes (what sending links needs), copy the
// page's curl example and run it with a real link in place of LINK, then find
// the request on the key's usage chart; edit the key, then revoke it.
export const apiKeyStep = {
  name: "API key: create, run its curl example, see its usage, edit, revoke",
  async run({ page, baseURL, media, expect, shoot, state }) {
    await nav(page, "API keys");
    await page.getByRole("heading", { name: "API keys", level: 1 }).waitFor();
    await page.getByText("You have no API keys yet").waitFor();

    await page.getByRole("button", { name: "New API key" }).click();
    const form = page.getByRole("dialog", { name: "New API key" });
    await form.getByLabel("Name").fill("e2e script");
    expect(await form.getByRole("checkbox", { name: /Read downloads/ }).isChecked(), "downloads:read is on by default");
    expect(await form.getByRole("checkbox", { name: /Manage downloads/ }).isChecked(), "downloads:write is on by default");
    expect((await form.getByRole("checkbox", { name: /admin:read/ }).count()) === 1, "an admin is offered the admin scopes");
    await form.getByLabel("Daily download quota").fill("100");
    await shoot("api-key-new");
    await form.getByRole("button", { name: "Create key" }).click();

    const created = page.getByRole("dialog", { name: "Copy your new API key" });
    await created.waitFor();
    const key = await created.getByTestId("new-api-key").inputValue();
    const curl = await created.getByTestId("curl-example").inputValue();
    expect(/^dlk_[0-9A-Za-z]{49}$/.test(key), `the key looks like dlk_… (${key.slice(0, 8)}…)`);
    expect(curl.includes(key) && curl.includes(`${baseURL}/api/v1/downloads`), `the curl example uses the key and this server: ${curl.replace(key, "dlk_…")}`);
    await shoot("api-key-created");
    await created.getByRole("button", { name: "Done, I have copied it" }).click();
    await created.waitFor({ state: "hidden" });

    // Run the command as the page shows it, with a real link in place of LINK.
    expect(curl.includes(`-X POST ${baseURL}/api/v1/downloads`) && curl.includes(`'{"url":"LINK"}'`), "the curl example submits a download");
    // Another name for the video: the journey downloaded this one already.
    const link = media.url.replace(/[^/]+$/, "by-key.webm");
    const out = execFileSync("sh", ["-c", curl.replace(`"url":"LINK"`, `"url":"${link}"`)], { encoding: "utf8", timeout: 30_000 });
    const answer = JSON.parse(out);
    expect(answer.url === link && typeof answer.id === "string", `curl queued a download of the link (got ${out.slice(0, 200)})`);
    state.apiKey = { key, name: "e2e script" };

    // The request shows on the key's usage chart (counts are flushed when read).
    const row = page.getByTestId("api-key-row").filter({ hasText: "e2e script" });
    const sheet = page.getByRole("dialog", { name: "Usage of “e2e script”" });
    const deadline = Date.now() + 30_000;
    for (;;) {
      await row.getByRole("button", { name: "Usage of e2e script" }).click();
      await sheet.getByTestId("usage-total").waitFor();
      const total = Number(await sheet.getByTestId("usage-total").textContent());
      if (total >= 1) break;
      if (Date.now() > deadline) throw new Error(`the curl request is not on the usage chart (total ${total})`);
      await page.keyboard.press("Escape");
      await sheet.waitFor({ state: "hidden" });
      await page.waitForTimeout(1000);
    }
    await sheet.getByTestId("usage-chart").waitFor();
    expect((await sheet.getByTestId("usage-routes").textContent()).includes("POST /api/v1/downloads"), "the route breakdown names POST /api/v1/downloads");
    await page.mouse.move(1, 1);
    await shoot("api-key-usage");
    await page.keyboard.press("Escape");
    await sheet.waitFor({ state: "hidden" });

    // Last used (written at most once a minute, flushed every 2 s) with the IP.
    const until = Date.now() + 20_000;
    while (!((await row.textContent()) ?? "").includes("from 127.0.0.1")) {
      if (Date.now() > until) throw new Error(`the key row does not show its last use: ${await row.textContent()}`);
      await page.waitForTimeout(1000);
      await page.reload();
      await row.waitFor();
    }

    // Edit: a lower rate limit.
    await row.getByRole("button", { name: "Actions for e2e script" }).click();
    await page.getByRole("menuitem", { name: "Edit…" }).click();
    const edit = page.getByRole("dialog", { name: "Edit “e2e script”" });
    await edit.getByLabel("Rate limit").fill("30");
    await edit.getByRole("button", { name: "Save changes" }).click();
    await edit.waitFor({ state: "hidden" });
    await row.getByText("30/min").waitFor();
    await page.mouse.move(1, 1);
    await shoot("api-keys");

    // Admins see everyone's keys, with the owner.
    await page.getByRole("tab", { name: "All keys" }).click();
    await page.waitForURL((u) => u.searchParams.get("view") === "all");
    await row.getByText("Owner: you").waitFor();
    await page.getByRole("tab", { name: "My keys" }).click();

    // Revoke, with a confirmation; the key stops working at once.
    await row.getByRole("button", { name: "Actions for e2e script" }).click();
    await page.getByRole("menuitem", { name: "Revoke…" }).click();
    const confirm = page.getByRole("alertdialog", { name: "Revoke “e2e script”?" });
    await shoot("api-key-revoke", { themes: ["light"] });
    await confirm.getByRole("button", { name: "Revoke key" }).click();
    await page.locator('[data-testid="api-key-row"][data-status="revoked"]').filter({ hasText: "e2e script" }).waitFor();
    const refused = execFileSync("sh", ["-c", `${curl} -o /dev/null -w '%{http_code}'`], { encoding: "utf8", timeout: 30_000 });
    expect(refused.trim() === "401", `a revoked key is refused (got HTTP ${refused})`);
  },
};
