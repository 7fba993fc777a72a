// @hey-api/openapi-ts (pinned in package.json) generating a TypeScript
// client from openapi.yaml as an integrator would: `npm run check:clients`
// generates it into clients/.gen (not tracked) and type-checks
// clients/flow.ts, the integrator's flow written against it; the browser
// journey (e2e/steps/ts-client.mjs) generates it again, compiles flow.ts and
// runs it against the real server. Imports end in `.js`, so the compiled
// client runs in Node as it is.
export default {
  input: "../openapi.yaml",
  output: { path: "clients/.gen", clean: true, module: { extension: ".js" } },
  plugins: ["@hey-api/typescript", "@hey-api/sdk", "@hey-api/client-fetch"],
  logs: { level: "warn" },
};
