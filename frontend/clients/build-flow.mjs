// Builds clients/flow.ts into a runnable module: generates the client from
// openapi.yaml with clients/openapi-ts.config.mjs into <dir>/.gen (its own
// folder, so it never races `npm run check:clients` over clients/.gen),
// compiles flow.ts with clients/tsconfig.json's settings (type errors fail),
// and imports it. Used by the browser journey (e2e/steps/ts-client.mjs).
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createClient } from "@hey-api/openapi-ts";
import config from "./openapi-ts.config.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const frontend = resolve(here, "..");

/** Returns the compiled flow module ({runFlow}). */
export async function buildFlow(dir) {
  mkdirSync(dir, { recursive: true });
  await createClient({
    ...config,
    input: resolve(frontend, config.input),
    output: { ...config.output, path: join(dir, ".gen") },
    logs: { ...config.logs, level: "silent" },
  });
  copyFileSync(join(here, "flow.ts"), join(dir, "flow.ts"));
  // NodeNext reads the module kind from the nearest package.json.
  writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module", private: true }));
  writeFileSync(
    join(dir, "tsconfig.json"),
    JSON.stringify({
      extends: join(here, "tsconfig.json"),
      compilerOptions: { noEmit: false, outDir: "js", rootDir: "." },
      include: ["flow.ts", ".gen/**/*.ts"],
    }),
  );
  try {
    execFileSync(join(frontend, "node_modules", ".bin", "tsc"), ["-p", join(dir, "tsconfig.json")], { encoding: "utf8" });
  } catch (err) {
    throw new Error(`clients/flow.ts does not compile against the generated client:\n${err.stdout ?? ""}${err.stderr ?? ""}`);
  }
  return import(pathToFileURL(join(dir, "js", "flow.js")).href);
}
