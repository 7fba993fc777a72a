// Generates src/lib/api/schema.d.ts from ../openapi.yaml (openapi-typescript).
// With --check it writes nothing and fails when the committed file is stale,
// so a contract change cannot land without new types.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const committed = "src/lib/api/schema.d.ts";
// Fields with a default stay optional: a request may leave them out.
const args = ["../openapi.yaml", "--default-non-nullable", "false"];
const gen = (out) => execFileSync("npx", ["--no-install", "openapi-typescript", ...args, "-o", out], { stdio: "ignore" });

if (!process.argv.includes("--check")) {
  gen(committed);
  console.log(`wrote ${committed}`);
} else {
  const dir = mkdtempSync(join(tmpdir(), "downlink-api-"));
  try {
    const fresh = join(dir, "schema.d.ts");
    gen(fresh);
    if (readFileSync(fresh, "utf8") !== readFileSync(committed, "utf8")) {
      console.error(`${committed} is stale: run \`npm run gen:api\` and commit it.`);
      process.exit(1);
    }
    console.log(`${committed} matches ../openapi.yaml`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
