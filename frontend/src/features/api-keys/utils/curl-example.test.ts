import { describe, expect, it } from "vitest";
import { curlExample } from "@/features/api-keys/utils/curl-example";

describe("curlExample", () => {
  const o = "https://dl.example.com";
  it("reads what the key may read, else shows a write", () => {
    expect(curlExample("dlk_x", ["files:read", "downloads:read"], o).command).toBe(`curl -sS -H "Authorization: Bearer dlk_x" ${o}/api/v1/downloads`);
    expect(curlExample("dlk_x", ["files:read"], o).command).toBe(`curl -sS -H "Authorization: Bearer dlk_x" ${o}/api/v1/files`);
    expect(curlExample("dlk_x", ["admin:read"], o).command).toContain("/api/v1/users");
    expect(curlExample("dlk_x", ["downloads:write"], o).command).toMatch(/^curl -sS -X POST .* -d '\{"url":/);
  });
  it("submits a download when the key may, even if it may also read", () => {
    expect(curlExample("dlk_x", ["downloads:read", "downloads:write"], o).command).toBe(
      `curl -sS -X POST ${o}/api/v1/downloads -H 'Authorization: Bearer dlk_x' -H 'Content-Type: application/json' -d '{"url":"LINK"}'`,
    );
  });
});
