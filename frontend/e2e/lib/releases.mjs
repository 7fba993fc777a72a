// Starts the stand-in of yt-dlp's GitHub releases (Go's releasetest, built
// from api/internal/ytdlp/managed/releasetest/standin): a runnable yt-dlp
// release signed with a test key, and a control endpoint to publish more.
import { execFileSync, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { join } from "node:path";

export async function startReleases({ repoRoot, tmp, version }) {
  const bin = join(tmp, "ytdlp-standin");
  execFileSync("go", ["build", "-o", bin, "./api/internal/ytdlp/managed/releasetest/standin"], { cwd: repoRoot, stdio: "inherit" });
  const child = spawn(bin, ["-version", version], { stdio: ["ignore", "pipe", "inherit"] });
  const first = await new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.once("line", resolve);
    child.once("exit", (code) => reject(new Error(`the releases stand-in exited (${code})`)));
  });
  const { url, key_file: keyFile } = JSON.parse(first);
  return {
    url,
    keyFile,
    /** Publishes a newer release; fault "bad_signature" signs it with another key. */
    async publish(v, fault = "") {
      const r = await fetch(`${url}/_standin/publish?version=${v}&fault=${fault}`, { method: "POST" });
      if (!r.ok) throw new Error(`publish ${v}: ${r.status} ${await r.text()}`);
    },
    async close() {
      child.kill("SIGTERM");
      await new Promise((r) => (child.exitCode !== null ? r() : child.once("exit", r)));
    },
  };
}
