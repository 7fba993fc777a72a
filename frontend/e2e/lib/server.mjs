// Starts `downlink serve` for the journey: a built binary (DOWNLINK_BIN) or
// one built here with `go build`, on a free loopback port, with a temp data
// dir; reads the setup token from its JSON log.
import { execFileSync, spawn } from "node:child_process";
import { createWriteStream, existsSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export function downlinkBinary(repoRoot, tmp) {
  if (process.env.DOWNLINK_BIN) return process.env.DOWNLINK_BIN;
  // The binary embeds frontend/dist as it is now; without a built UI the
  // journey would only meet the "build the UI" page.
  if (!existsSync(join(repoRoot, "frontend", "dist", "index.html"))) {
    throw new Error("frontend/dist has no built UI: run `npm run build` first (or set DOWNLINK_BIN)");
  }
  const bin = join(tmp, "downlink");
  console.log("building downlink (go build ./api/cmd/downlink)…");
  execFileSync("go", ["build", "-o", bin, "./api/cmd/downlink"], { cwd: repoRoot, stdio: "inherit" });
  return bin;
}

export async function startServer({ bin, tmp, releases }) {
  const port = await freePort();
  const logFile = join(tmp, "downlink.log");
  const log = createWriteStream(logFile);
  const child = spawn(bin, ["serve"], {
    env: {
      ...process.env,
      DOWNLINK_ADDR: `127.0.0.1:${port}`,
      DOWNLINK_DATA_DIR: join(tmp, "data"),
      DOWNLINK_GENERIC_SITES: "true",
      DOWNLINK_ALLOW_PRIVATE_NETWORKS: "true",
      DOWNLINK_LOG_FORMAT: "json",
      DOWNLINK_LOG_LEVEL: "info",
      // The journey never reaches GitHub: the managed yt-dlp's releases come
      // from the stand-in, signed with its test key.
      DOWNLINK_YTDLP_RELEASES_API: releases?.url ?? "http://127.0.0.1:9",
      DOWNLINK_YTDLP_RELEASES_DOWNLOAD: releases?.url ?? "http://127.0.0.1:9",
      ...(releases ? { DOWNLINK_YTDLP_SIGNING_KEY: releases.keyFile } : {}),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  let exited = null;
  child.on("exit", (code, signal) => (exited = { code, signal }));
  const baseURL = `http://127.0.0.1:${port}`;

  const deadline = Date.now() + 60_000;
  let token = null;
  while (Date.now() < deadline) {
    if (exited) throw new Error(`downlink exited early (${JSON.stringify(exited)}); log: ${logFile}`);
    token ??= findToken(logFile);
    if (token) {
      try {
        const r = await fetch(`${baseURL}/healthz`);
        if (r.ok) break;
      } catch {
        /* not listening yet */
      }
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  if (!token) throw new Error(`no setup_token in the log within 60 s; log: ${logFile}`);

  return {
    baseURL,
    token,
    logFile,
    async stop() {
      if (exited) return;
      child.kill("SIGTERM");
      const gone = await Promise.race([
        new Promise((r) => child.once("exit", () => r(true))),
        new Promise((r) => setTimeout(() => r(false), 10_000)),
      ]);
      if (!gone) child.kill("SIGKILL");
    },
  };
}

function findToken(logFile) {
  let text;
  try {
    text = readFileSync(logFile, "utf8");
  } catch {
    return null;
  }
  for (const line of text.split("\n")) {
    if (!line.includes("setup_token")) continue;
    try {
      const rec = JSON.parse(line);
      if (rec.setup_token) return rec.setup_token;
    } catch {
      const m = /"setup_token"\s*:\s*"([^"]+)"/.exec(line);
      if (m) return m[1];
    }
  }
  return null;
}
