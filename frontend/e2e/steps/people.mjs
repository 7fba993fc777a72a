// Adding people (issue 19): an admin adds a user with a temporary password
// and invites another with a one-time link; each signs in as themselves;
// a reset link sets a new password; "forgot password" says what to do.
const nav = (page, name) => page.getByRole("navigation", { name: "Main" }).getByRole("link", { name, exact: true }).click();

async function signOut(page) {
  await page.getByRole("button", { name: /Account menu/ }).click();
  await page.getByRole("menuitem", { name: "Sign out" }).click();
  await page.waitForURL("**/login");
}

async function signIn(page, email, password) {
  await page.goto("/login");
  await page.getByLabel("E-mail", { exact: true }).fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** Opens Add user, fills it and returns the secret the dialog shows once. */
async function addPerson(page, { email, name, mode }) {
  await page.getByRole("button", { name: "Add user" }).click();
  const dialog = page.getByRole("dialog", { name: "Add user" });
  await dialog.getByLabel("E-mail", { exact: true }).fill(email);
  await dialog.getByLabel("Name", { exact: true }).fill(name);
  await dialog.getByLabel(mode === "invite" ? /Invitation link/ : /Temporary password/).check();
  await dialog.getByRole("button", { name: mode === "invite" ? "Create invitation" : "Add user" }).click();
  const done = page.getByRole("dialog", { name: "Pass this on" });
  const secret = (await done.getByTestId("secret-value").textContent())?.trim() ?? "";
  await done.getByRole("button", { name: "Done" }).click();
  return secret;
}

export const peopleStep = {
  name: "people: add a user, an invitation, a reset link, forgot password",
  async run({ page, expect, shoot, creds }) {
    const grace = { email: "grace@example.com", name: "Grace Hopper", password: "grace's own password" };
    const alan = { email: "alan@example.com", name: "Alan Turing", password: "alan's own password" };
    await nav(page, "Users");
    await page.getByRole("heading", { name: "Users", level: 1 }).waitFor();
    const temp = await addPerson(page, { ...grace, mode: "password" });
    expect(temp.length >= 12, "a temporary password is shown once");
    await page.getByTestId("user-row").filter({ hasText: grace.email }).waitFor();
    const invite = await addPerson(page, { ...alan, mode: "invite" });
    expect(/\/invite#token=[\w-]{40,}$/.test(invite), `an invitation link (${invite})`);
    await signOut(page);

    // "Forgot password?" without e-mail set up: ask an administrator.
    await page.getByRole("button", { name: "Forgot password?" }).click();
    await page.getByRole("status").filter({ hasText: /administrator/ }).waitFor();

    // The temporary password works once, for choosing one's own.
    await signIn(page, grace.email, temp);
    await page.getByRole("heading", { name: "Choose your own password" }).waitFor();
    await shoot("choose-password", { fullPage: false });
    await page.getByLabel("Current password").fill(temp);
    await page.getByLabel("New password", { exact: true }).fill(grace.password);
    await page.getByLabel("Repeat new password").fill(grace.password);
    await page.getByRole("button", { name: "Change password" }).click();
    await page.getByRole("navigation", { name: "Main" }).waitFor();
    expect(!(await page.getByRole("link", { name: "Users", exact: true }).count()), "Grace is a user, not an admin");
    await signOut(page);

    // The invitation link creates Alan's account and signs him in; once.
    await page.goto(invite);
    await page.getByRole("heading", { name: "Welcome to Downlink" }).waitFor();
    await shoot("invite", { fullPage: false });
    await page.getByLabel("New password").fill(alan.password);
    await page.getByLabel("Repeat the password").fill(alan.password);
    await page.getByRole("button", { name: "Create my account" }).click();
    await page.getByRole("navigation", { name: "Main" }).waitFor();
    await signOut(page);
    await page.goto(invite);
    await page.getByLabel("New password").fill("another password");
    await page.getByLabel("Repeat the password").fill("another password");
    await page.getByRole("button", { name: "Create my account" }).click();
    await page.getByRole("alert").filter({ hasText: /expired or already used/ }).waitFor();

    // A reset link from the Users page sets Grace a new password.
    await signIn(page, creds.email, creds.password);
    await page.getByRole("navigation", { name: "Main" }).waitFor();
    await nav(page, "Users");
    const row = page.getByTestId("user-row").filter({ hasText: grace.email });
    await row.getByRole("button", { name: `Actions for ${grace.name}` }).click();
    await page.getByRole("menuitem", { name: "Reset password…" }).click();
    const dialog = page.getByRole("dialog", { name: `Reset password of ${grace.name}` });
    const reset = (await dialog.getByTestId("secret-value").textContent())?.trim() ?? "";
    expect(/\/reset-password#token=[\w-]{40,}$/.test(reset), `a reset link (${reset})`);
    await dialog.getByRole("button", { name: "Done" }).click();
    await signOut(page);
    await page.goto(reset);
    await page.getByLabel("New password").fill("grace's second password");
    await page.getByLabel("Repeat the password").fill("grace's second password");
    await page.getByRole("button", { name: "Set password and sign in" }).click();
    await page.getByRole("navigation", { name: "Main" }).waitFor();
    await signOut(page);
    await signIn(page, grace.email, "grace's second password");
    await page.getByRole("navigation", { name: "Main" }).waitFor();
    await signOut(page);

    await signIn(page, creds.email, creds.password);
    await page.getByRole("navigation", { name: "Main" }).waitFor();
  },
};

// The installable app: a manifest with a share target; a shared link
// (as Android's share sheet sends it, inside `text`) becomes a download.
export const shareStep = {
  name: "share target: the manifest, and /share submitting a download",
  async run({ page, expect, media, creds }) {
    const res = await page.request.get("/manifest.webmanifest");
    expect(res.ok(), "the manifest is served");
    expect((res.headers()["content-type"] ?? "").startsWith("application/manifest+json"), "as application/manifest+json");
    const m = await res.json();
    expect(m.display === "standalone" && m.start_url === "/" && m.icons.some((i) => i.sizes === "512x512"), "installable: standalone, start_url, icons");
    expect(m.share_target?.action === "/share" && m.share_target.params.url === "url" && m.share_target.params.text === "text", "a share target at /share");
    const href = await page.locator('link[rel="manifest"]').getAttribute("href");
    expect(href === "/manifest.webmanifest", "the page links the manifest");

    const shared = `${media.url}?shared=1`;
    const sharePath = `/share?title=${encodeURIComponent("A video")}&text=${encodeURIComponent(`Look at this ${shared}`)}`;
    // A phone that is signed out: the share opens the login page, and signing in
    // continues to the same confirmation with the shared link kept.
    await page.goto("/");
    await signOut(page);
    await page.goto(sharePath);
    await page.waitForURL((u) => u.pathname === "/login");
    expect(new URL(page.url()).searchParams.get("next") === sharePath, `the login page keeps the share (${page.url()})`);
    await page.getByLabel("E-mail", { exact: true }).fill(creds.email);
    await page.getByLabel("Password", { exact: true }).fill(creds.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL((u) => u.pathname === "/share");
    // The page asks first: a link from any web page is no consent to download.
    await page.getByText(`Download ${shared}?`).waitFor();
    expect((await page.request.get("/api/v1/downloads?limit=100").then((r) => r.json())).items.every((d) => d.url !== shared), "nothing submitted before the tap");
    await page.getByRole("button", { name: "Download", exact: true }).click();
    await page.waitForURL((u) => u.pathname === "/" && !!u.searchParams.get("open"));
    const id = new URL(page.url()).searchParams.get("open");
    const d = await (await page.request.get(`/api/v1/downloads/${id}`)).json();
    expect(d.url === shared, `the shared link was submitted (${d.url})`);
  },
};
