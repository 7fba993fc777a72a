import { afterEach, describe, expect, it, vi } from "vitest";
import { getMe } from "@/features/auth/api/get-me";
import { jsonResponse } from "@/test/fixtures";

const providers = (signedIn: boolean) => ({ local: true, setup_required: false, providers: [], signed_in: signedIn });

function stub(signedIn: boolean) {
  const paths: string[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (req: Request) => {
      const p = new URL(req.url).pathname;
      paths.push(p);
      if (p === "/api/v1/auth/providers") return jsonResponse(200, providers(signedIn));
      return jsonResponse(200, { user: { id: "u" }, role: "user", auth: { method: "session", api_key_id: null, scopes: [] }, features: {} });
    }),
  );
  return paths;
}

describe("getMe", () => {
  afterEach(() => {
    document.cookie = "downlink_signed_in=; Max-Age=0; Path=/";
  });

  it("on a signed-out load asks the public providers call, not /auth/me (no 401 in the console)", async () => {
    const paths = stub(false);
    await expect(getMe()).rejects.toMatchObject({ status: 401 });
    expect(paths).toEqual(["/api/v1/auth/providers"]);
  });

  it("with the hint cookie asks /auth/me at once", async () => {
    document.cookie = "downlink_signed_in=1; Path=/";
    const paths = stub(true);
    await getMe();
    expect(paths).toEqual(["/api/v1/auth/me"]);
  });

  it("a session from before the hint still signs in (providers says signed in)", async () => {
    const paths = stub(true);
    await getMe();
    expect(paths).toEqual(["/api/v1/auth/providers", "/api/v1/auth/me"]);
  });
});
