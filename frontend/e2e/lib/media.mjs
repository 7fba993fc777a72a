// Test media for the journey: a short WebM made with ffmpeg (every Chromium
// build plays VP8/Opus) and a tiny static server with Range support that can
// throttle, so the progress bar has time to be seen moving.
import { execFileSync } from "node:child_process";
import { createReadStream, statSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";

export function makeVideo(dir, { seconds = 8 } = {}) {
  const file = join(dir, "e2e-clip.webm");
  execFileSync(
    "ffmpeg",
    [
      "-hide_banner", "-loglevel", "error", "-y",
      "-f", "lavfi", "-i", `testsrc2=size=640x360:rate=25:duration=${seconds}`,
      "-f", "lavfi", "-i", `sine=frequency=440:duration=${seconds}`,
      "-c:v", "libvpx", "-b:v", "1200k", "-deadline", "realtime", "-cpu-used", "8",
      "-c:a", "libopus", "-b:a", "64k",
      "-metadata", "title=Downlink e2e clip",
      file,
    ],
    { stdio: "inherit" },
  );
  return file;
}

/** Serves `file` at /<name>; `bytesPerSecond` throttles the body. Resolves to {url, path, size, close}. */
export function serveFile(file, { bytesPerSecond = 0 } = {}) {
  const name = file.split("/").pop();
  const size = statSync(file).size;
  const server = createServer((req, res) => {
    const [path, query] = req.url.split("?");
    // Any name with the file's extension serves it: a step that must not
    // meet the duplicate warning downloads "another" video (/other.webm).
    if (!/^\/[\w.-]+$/.test(path) || !path.endsWith(name.slice(name.lastIndexOf(".")))) {
      res.writeHead(404).end();
      return;
    }
    let start = 0;
    let end = size - 1;
    const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? "");
    if (range) {
      if (range[1] === "") start = Math.max(0, size - Number(range[2]));
      else {
        start = Number(range[1]);
        if (range[2] !== "") end = Math.min(size - 1, Number(range[2]));
      }
      if (start >= size || start > end) {
        res.writeHead(416, { "Content-Range": `bytes */${size}` }).end();
        return;
      }
    }
    const headers = {
      "Content-Type": "video/webm",
      "Content-Length": end - start + 1,
      "Accept-Ranges": "bytes",
      "Last-Modified": new Date(0).toUTCString(),
    };
    if (range) headers["Content-Range"] = `bytes ${start}-${end}/${size}`;
    res.writeHead(range ? 206 : 200, headers);
    if (req.method === "HEAD") {
      res.end();
      return;
    }
    const stream = createReadStream(file, { start, end, highWaterMark: 16 * 1024 });
    // ?rate=<bytes/s> overrides the throttle (a very slow one to cancel).
    const rate = Number(new URLSearchParams(query ?? "").get("rate")) || bytesPerSecond;
    if (!rate) {
      stream.pipe(res);
      return;
    }
    // Throttle: one 16 KB chunk per tick.
    const tick = Math.max(1, Math.round((16 * 1024 * 1000) / rate));
    stream.on("data", (chunk) => {
      stream.pause();
      res.write(chunk);
      setTimeout(() => stream.resume(), tick);
    });
    stream.on("end", () => res.end());
    res.on("close", () => stream.destroy());
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      resolve({
        url: `http://127.0.0.1:${port}/${name}`,
        path: file,
        size,
        close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(() => r()); }),
      });
    });
  });
}
