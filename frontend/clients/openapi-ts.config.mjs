// @hey-api/openapi-ts (pinned in package.json) generating a TypeScript
// client from openapi.yaml as an integrator would: `npm run check:clients`
// generates it into clients/.gen (not tracked) and type-checks
// clients/use-client.ts, a small program written against it.
export default {
  input: "../openapi.yaml",
  output: { path: "clients/.gen", clean: true },
  plugins: ["@hey-api/typescript", "@hey-api/sdk", "@hey-api/client-fetch"],
  logs: { level: "warn" },
};
