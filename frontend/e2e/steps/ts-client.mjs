import { readFileSync } from "node:fs";
import { join } from "node:path";
import { buildFlow } from "../../clients/build-flow.mjs";

// An integrator's program with the TypeScript client @hey-api/openapi-ts
// generates from openapi.yaml (clients/flow.ts, no hand-written wire type):
// sign in, make a key, submit, follow the events to completion, come back
// with Last-Event-ID and get exactly what was missed, fetch the file whole
// and with Range, cancel/retry/delete. It talks HTTP only, not the page.
export const tsClientStep = {
  name: "TypeScript client: key, submit, events, Last-Event-ID replay, Range, cancel/retry/delete",
  async run({ baseURL, creds, media, tmp, expect }) {
    const { runFlow } = await buildFlow(join(tmp, "ts-client"));
    const lines = [];
    // Names of their own: the journey downloaded the other names already.
    const result = await runFlow({
      baseUrl: baseURL,
      email: creds.email,
      password: creds.password,
      mediaUrl: media.url.replace(/[^/]+$/, "ts-client.webm"),
      slowMediaUrl: media.url.replace(/[^/]+$/, "ts-client-slow.webm") + "?rate=20000",
      mediaBytes: new Uint8Array(readFileSync(media.path)),
      log: (line) => lines.push(line),
    }).catch((err) => {
      throw new Error(`${err.message}\n    after: ${lines.join("\n    ") || "nothing"}`);
    });
    expect(result.replayed > 0 && result.sizeBytes === media.size, `the flow replayed events and fetched the file (${JSON.stringify(result)})`);
    process.stdout.write(`(${result.replayed} events replayed, ${result.sizeBytes} bytes) `);
  },
};
