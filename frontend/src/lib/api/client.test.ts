import { describe, expect, it, vi } from "vitest";
import { api, unwrap } from "@/lib/api/client";
import { ApiError } from "@/lib/api/problem";
import { jsonResponse, problem } from "@/test/fixtures";

describe("api client", () => {
  it("says once that the server cannot be reached, and not for canceled requests", async () => {
    const { toast } = await import("sonner");
    const spy = vi.spyOn(toast, "error");
    vi.stubGlobal("fetch", vi.fn(async () => Promise.reject(new TypeError("Failed to fetch"))));
    await expect(unwrap(api.GET("/api/v1/system"))).rejects.toBeInstanceOf(TypeError);
    await expect(unwrap(api.GET("/api/v1/stats"))).rejects.toBeInstanceOf(TypeError);
    expect(spy).toHaveBeenCalledTimes(1);

    // Back online, then a canceled request: no new toast.
    vi.stubGlobal("fetch", vi.fn(async () => jsonResponse(200, {})));
    await unwrap(api.GET("/api/v1/system"));
    const ctl = new AbortController();
    ctl.abort();
    vi.stubGlobal("fetch", vi.fn(async () => Promise.reject(new DOMException("aborted", "AbortError"))));
    await expect(unwrap(api.GET("/api/v1/system", { signal: ctl.signal }))).rejects.toThrow();
    expect(spy).toHaveBeenCalledTimes(1);
  });

  it("sends the browser to /login?next=<where it was> on a 401", async () => {
    window.history.replaceState(null, "", "/downloads?status=failed");
    vi.stubGlobal("fetch", vi.fn(async () => problem(401, "Authentication required")));

    const err = await unwrap(api.GET("/api/v1/downloads")).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(401);
    expect(window.location.pathname).toBe("/login");
    expect(new URLSearchParams(window.location.search).get("next")).toBe("/downloads?status=failed");
  });

  it("does not redirect when the login call itself says 401", async () => {
    window.history.replaceState(null, "", "/login?next=%2Ffiles");
    vi.stubGlobal("fetch", vi.fn(async () => problem(401, "Invalid credentials")));

    await expect(unwrap(api.POST("/api/v1/auth/login", { body: { email: "a@b.c", password: "x" } }))).rejects.toBeInstanceOf(ApiError);
    expect(window.location.pathname + window.location.search).toBe("/login?next=%2Ffiles");
  });

  it("sends same-origin credentials and returns the data of a 2xx", async () => {
    window.history.replaceState(null, "", "/");
    const fetch = vi.fn(async (_req: Request) => jsonResponse(200, { local: true, setup_required: false, providers: [] }));
    vi.stubGlobal("fetch", fetch);

    const data = await unwrap(api.GET("/api/v1/auth/providers"));

    expect(data.local).toBe(true);
    expect(fetch.mock.calls[0]![0].credentials).toBe("same-origin");
  });

  it("turns a problem+json body into ApiError with its field errors", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => problem(422, "Validation failed", { errors: [{ field: "name", message: "too long" }] })));
    const err = (await unwrap(api.PATCH("/api/v1/auth/me", { body: { name: "x" } })).catch((e: unknown) => e)) as ApiError;
    expect(err.status).toBe(422);
    expect(err.problem.title).toBe("Validation failed");
    expect(err.fieldErrors).toEqual([{ field: "name", message: "too long" }]);
  });
});
