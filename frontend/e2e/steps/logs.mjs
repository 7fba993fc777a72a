const nav = (page, name) => page.getByRole("navigation", { name: "Main" }).getByRole("link", { name, exact: true }).click();

// The audit trail has the key's creation (who, what, from where); the live
// tail shows a new record as it is written.
export const logsStep = {
  name: "logs: the audit record of the key, live tail",
  async run({ page, expect, shoot, state, creds }) {
    await nav(page, "Logs");
    await page.getByRole("heading", { name: "Logs", level: 1 }).waitFor();
    await page.getByTestId("log-row").first().waitFor();

    await page.getByRole("switch", { name: "Audit trail only" }).click();
    await page.getByLabel("Search logs").fill(state.apiKey?.name ?? "e2e script");
    await page.waitForURL((u) => u.searchParams.get("audit") === "only" && u.searchParams.has("q"));
    const record = page.locator('[data-testid="log-row"][data-audit="true"]').filter({ hasText: /api[ _.]key[ _.]created/i }).first();
    await record.waitFor({ timeout: 15_000 });
    const summary = (await record.getByTestId("audit-summary").textContent()) ?? "";
    expect(summary.includes(creds.name), `the audit record names the actor (${summary})`);
    expect(/api[ _.]key[ _.]created/i.test(summary), `the audit record names the action (${summary})`);
    // Every record on screen is an audit record.
    expect((await page.locator('[data-testid="log-row"][data-audit="false"]').count()) === 0, "audit only shows only audit records");

    await record.getByRole("button", { expanded: false }).click();
    await record.getByText("scopes").waitFor();
    expect(((await record.textContent()) ?? "").includes("downloads:read"), "the expanded record shows its attributes");
    await page.mouse.move(1, 1);
    await shoot("logs-audit");

    // Everything, with the live tail on: a request made now appears without a reload.
    // Request lines are routine, hidden until "Show everything" is on.
    await page.goto("/logs");
    await page.getByTestId("log-row").first().waitFor();
    await page.getByRole("switch", { name: "Show everything" }).click();
    await page.waitForURL((u) => u.searchParams.get("everything") === "on");
    await page.getByRole("switch", { name: "Live tail" }).click();
    await page.locator('[data-testid="tail-status"][data-status="live"]').waitFor({ timeout: 15_000 });
    await page.evaluate(() => fetch("/api/v1/system?e2e-tail=1", { credentials: "same-origin" }));
    await page.locator('[data-testid="log-row"][data-live="true"]').filter({ hasText: "/api/v1/system" }).first().waitFor({ timeout: 20_000 });
    await page.getByRole("switch", { name: "Live tail" }).click();
    await page.locator('[data-testid="tail-status"][data-status="off"]').waitFor();
    await page.mouse.move(1, 1);
    await shoot("logs");
  },
};
