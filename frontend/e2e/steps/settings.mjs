import { signatureValid } from "../lib/receiver.mjs";

const nav = (page, name) => page.getByRole("navigation", { name: "Main" }).getByRole("link", { name, exact: true }).click();

// Change a YouTube setting and find it saved after a reload; a malformed
// cookies.txt is refused with the line named under the field.
export const settingsStep = {
  name: "settings: change a platform setting, see it after a reload",
  async run({ page, expect, shoot }) {
    await nav(page, "Settings");
    await page.getByRole("heading", { name: "Settings", level: 1 }).waitFor();
    await page.getByLabel("Log retention (days)").waitFor();
    await shoot("settings");

    await page.getByRole("tab", { name: "Platforms" }).click();
    await page.waitForURL((u) => u.searchParams.get("tab") === "platforms");
    const yt = page.getByRole("region", { name: "YouTube" });
    await yt.getByLabel("Max concurrent downloads").fill("3");
    await yt.getByRole("combobox", { name: "Default quality" }).click();
    await page.getByRole("option", { name: "Up to 1080p" }).click();
    await yt.getByRole("button", { name: "Save YouTube" }).click();
    await page.getByText("YouTube settings saved").waitFor();

    await page.reload();
    const ytAgain = page.getByRole("region", { name: "YouTube" });
    await ytAgain.getByLabel("Max concurrent downloads").waitFor();
    const max = await ytAgain.getByLabel("Max concurrent downloads").inputValue();
    const preset = (await ytAgain.getByRole("combobox", { name: "Default quality" }).textContent()) ?? "";
    expect(max === "3", `max concurrent is 3 after a reload (got ${max})`);
    expect(preset.includes("Up to 1080p"), `default quality is 1080p after a reload (got ${preset})`);
    expect(((await ytAgain.textContent()) ?? "").includes("Changed "), "the card says when it was changed");

    // A cookies.txt with a short line: the server's message, naming the line, under the field.
    const cookies = ytAgain.getByLabel("cookies.txt");
    await cookies.fill("# Netscape HTTP Cookie File\n.youtube.com\tTRUE\t/\tTRUE\n");
    await ytAgain.getByRole("button", { name: "Save YouTube" }).click();
    await page.waitForFunction(() => document.getElementById("youtube-cookies")?.getAttribute("aria-invalid") === "true", null, { timeout: 10_000 });
    const msg = (await page.locator("#youtube-cookies-error").textContent()) ?? "";
    expect(/line 2/.test(msg), `the cookies error names the line (${msg})`);
    await ytAgain.getByRole("button", { name: "Discard changes" }).click();
    await page.mouse.move(1, 1);
    await shoot("settings-platforms");

    // Unsaved edits are not lost silently: leaving asks first; staying keeps them.
    await ytAgain.getByLabel("Max concurrent downloads").fill("4");
    const dialog = page.waitForEvent("dialog");
    const click = page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Downloads", exact: true }).click();
    const d = await dialog;
    const asked = d.message();
    await d.dismiss();
    await click;
    expect(/unsaved changes/i.test(asked), `leaving with unsaved edits asks first (${asked || "no dialog"})`);
    expect(new URL(page.url()).pathname === "/settings", "dismissing the question stays on the page");
    expect((await ytAgain.getByLabel("Max concurrent downloads").inputValue()) === "4", "the edit is still there");
    await ytAgain.getByRole("button", { name: "Discard changes" }).click();
  },
};

// What a user chose last starts the next download, in any browser: the
// options are remembered on the server, and what does not apply is hidden.
export const rememberedOptionsStep = {
  name: "remembered options across reloads",
  async run({ page, media, expect }) {
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Downloads", exact: true }).click();
    await page.getByRole("heading", { name: "Downloads", level: 1 }).waitFor();
    await page.getByLabel("Link to download").fill(`${media.url}?remembered=1`);
    await page.getByRole("button", { name: "Options" }).click();
    await page.getByRole("combobox", { name: "Quality", exact: true }).click();
    await page.getByRole("option", { name: "Audio only" }).click();
    expect((await page.getByLabel("Subtitle languages").count()) === 0, "subtitles are hidden for audio");
    const remembered = page.waitForResponse((r) => r.url().endsWith("/api/v1/auth/me/preferences") && r.request().method() === "PUT");
    await page.getByRole("button", { name: "Download", exact: true }).click();
    expect((await remembered).ok(), "the choice is remembered on the server");

    await page.reload();
    await page.getByRole("button", { name: "Options" }).click();
    const quality = page.getByRole("combobox", { name: "Quality", exact: true });
    await page.waitForFunction(() => document.getElementById("opt-preset")?.textContent?.includes("Audio only"), null, { timeout: 10_000 });
    expect(((await quality.textContent()) ?? "").includes("Audio only"), "the quality chosen last is the default after a reload");
    // Back to video for the steps that follow.
    await quality.click();
    await page.getByRole("option", { name: "Platform default" }).click();
  },
};

// A webhook to a receiver on 127.0.0.1: the secret is shown once, "Send
// test" ends as a succeeded delivery, and the receiver got a signed request.
export const webhookStep = {
  name: "webhook: create, send test, delivery succeeded",
  async run({ page, expect, shoot, receiver }) {
    await page.goto("/settings?tab=webhooks");
    await page.getByRole("heading", { name: "Webhooks" }).waitFor();
    await page.getByText("No webhooks yet").waitFor();
    await page.getByRole("button", { name: "Add webhook" }).click();
    const form = page.getByRole("dialog", { name: "New webhook" });
    await form.getByLabel("URL").fill(receiver.url);
    await form.getByLabel("Description").fill("e2e receiver");
    await form.getByRole("button", { name: "Create webhook" }).click();

    const secretDialog = page.getByRole("dialog", { name: "Copy the signing secret" });
    await secretDialog.waitFor();
    const secret = await secretDialog.getByTestId("webhook-secret").inputValue();
    expect(secret.startsWith("whsec_"), "the signing secret is shown once");
    await secretDialog.getByRole("button", { name: "Done, I have copied it" }).click();

    const row = page.getByTestId("webhook-row").filter({ hasText: receiver.url });
    await row.waitFor();
    await row.getByRole("button", { name: "Send test" }).click();
    const delivery = row.getByTestId("delivery-row").first();
    await delivery.waitFor({ timeout: 15_000 });
    await page.waitForFunction(
      (url) => [...document.querySelectorAll('[data-testid="webhook-row"]')].find((r) => r.textContent.includes(url))?.querySelector('[data-testid="delivery-row"]')?.getAttribute("data-status") === "succeeded",
      receiver.url,
      { timeout: 60_000, polling: 250 },
    );
    expect(((await delivery.textContent()) ?? "").includes("204"), "the delivery shows the receiver's 204");
    const got = receiver.requests.find((r) => r.method === "POST" && r.body.includes("webhook.test"));
    expect(got, `the receiver got the test delivery (${receiver.requests.length} requests)`);
    expect(signatureValid(got, secret), "its webhook-signature verifies with the secret shown once");
    await page.mouse.move(1, 1);
    await shoot("settings-webhooks");

    await page.getByRole("tab", { name: "Storage" }).click();
    await page.getByTestId("library-size").waitFor();
    await page.getByRole("heading", { name: "Orphaned files" }).waitFor();
    await shoot("settings-storage");
  },
};
