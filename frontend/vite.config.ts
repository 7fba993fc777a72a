import { fileURLToPath, URL } from "node:url";
import tailwindcss from "@tailwindcss/vite";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

// The Go server (downlink serve) answers these paths; the dev server forwards
// them so `npm run dev` works against a real backend (default :8080).
const backend = process.env.DOWNLINK_DEV_BACKEND ?? "http://127.0.0.1:8080";
const proxied = ["/api", "/swagger", "/openapi.yaml", "/healthz", "/readyz"];

export default defineConfig({
  plugins: [react(), tailwindcss()],
  resolve: {
    alias: { "@": fileURLToPath(new URL("./src", import.meta.url)) },
  },
  server: {
    proxy: Object.fromEntries(proxied.map((p) => [p, { target: backend, changeOrigin: false }])),
  },
  build: {
    // dist/.keep is tracked so `go build` works before the UI is built;
    // it ships from public/ so emptying dist/ keeps it.
    emptyOutDir: true,
    // The entry holds everything the home page needs (below): ~590 KB raw,
    // ~186 KB gzip (npm run size keeps the 250 KB gzip budget).
    chunkSizeWarningLimit: 700,
    rolldownOptions: {
      output: {
        // Everything the first page needs is in the entry chunk, not in ten
        // chunks shared with the lazy pages: over HTTP/1.1 a browser fetches
        // six at a time, so ten cost a second round before the first render
        // (Lighthouse: performance 82-86 -> 87-92, docs/performance.md).
        codeSplitting: { groups: [{ name: "app", tags: ["$initial"] }] },
      },
    },
  },
  test: {
    environment: "jsdom",
    globals: true,
    setupFiles: ["./src/test/setup.ts"],
    include: ["src/**/*.test.{ts,tsx}"],
    css: false,
    pool: "threads",
    // One worker: with isolate off, each worker pays for jsdom and the
    // module graph once; a second one saved 3 s of wall time for 3 s of
    // CPU (15.5 against 18.2 CPU-s), and make test runs beside Go stages
    // that want the cores.
    maxWorkers: 1,
    // Files share their worker's jsdom and module graph instead of a fresh
    // one each: 23 s of CPU instead of 86 s for the suite. setup.ts resets
    // what a test can leave behind (DOM, stubs, storage, URL).
    isolate: false,
    testTimeout: 20_000,
  },
});
