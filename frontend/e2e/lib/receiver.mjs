// A webhook receiver for the journey: records every request on 127.0.0.1
// and answers 204, so a test delivery can succeed and its signature can be
// checked against the secret the dashboard showed.
import { createHmac } from "node:crypto";
import { createServer } from "node:http";

export function startReceiver() {
  const requests = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      requests.push({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      res.writeHead(204).end();
    });
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      resolve({
        url: `http://127.0.0.1:${port}/hooks/downlink`,
        requests,
        close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(() => r()); }),
      });
    });
  });
}

/** Standard Webhooks: webhook-signature holds "v1,<base64 HMAC-SHA256 of id.timestamp.body>" keyed with the secret's bytes. */
export function signatureValid(request, secret) {
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const id = request.headers["webhook-id"];
  const ts = request.headers["webhook-timestamp"];
  const mac = createHmac("sha256", key).update(`${id}.${ts}.${request.body}`).digest("base64");
  return String(request.headers["webhook-signature"] ?? "").split(" ").includes(`v1,${mac}`);
}
