// The managed yt-dlp as an admin meets it on the System page: check against
// the stand-in, update, run a download with the new version, see a tampered
// release refused with its reason, roll back.
export const ytdlpStep = {
  name: "managed yt-dlp: check, update, download with it, tampered release refused, roll back",
  async run({ page, media, releases, expect }) {
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "System" }).click();
    const card = page.getByRole("region", { name: "yt-dlp" });
    const row = card.locator('[data-testid^="ytdlp-node-"]').first(); // the only node
    await card.getByRole("button", { name: "Check for updates" }).click();
    const update = card.getByRole("button", { name: `Update to ${releases.first}` });
    await update.waitFor({ timeout: 60_000 });
    await update.click();
    await row.getByText(`to yt-dlp ${releases.first}`).waitFor({ timeout: 120_000 });
    expect((await row.textContent()).includes("managed"), "the node runs the managed yt-dlp");

    // The next download runs with it.
    const id = await page.evaluate(async (url) => {
      const r = await fetch("/api/v1/downloads", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ url: `${url}?managed=1` }),
      });
      return (await r.json()).id;
    }, media.url);
    let d;
    const deadline = Date.now() + 120_000;
    do {
      if (Date.now() > deadline) throw new Error(`download with the managed yt-dlp not finished: ${JSON.stringify(d)}`);
      await page.waitForTimeout(500);
      d = await page.evaluate(async (id) => (await fetch(`/api/v1/downloads/${id}`, { credentials: "same-origin" })).json(), id);
    } while (!["completed", "failed", "canceled"].includes(d.status));
    expect(d.status === "completed" && d.ytdlp_version === releases.first, `the download ran yt-dlp ${releases.first} (${d.status}, ${d.ytdlp_version})`);

    // A release signed with someone else's key is refused, and says why.
    await releases.publish(releases.tampered, "bad_signature");
    await card.getByRole("button", { name: "Check for updates" }).click();
    await card.getByRole("button", { name: `Update to ${releases.tampered}` }).click();
    await row.getByText("Update failed").waitFor({ timeout: 60_000 });
    expect((await row.textContent()).includes("does not verify with yt-dlp's signing key"), "the refusal says the signature does not verify");
    expect((await row.textContent()).includes(releases.first), `still on ${releases.first}`);

    await card.getByRole("button", { name: "Roll back" }).click();
    await page.getByRole("alertdialog", { name: "Roll back yt-dlp?" }).getByRole("button", { name: "Roll back" }).click();
    await row.getByText("to the system yt-dlp").waitFor({ timeout: 60_000 });
  },
};
