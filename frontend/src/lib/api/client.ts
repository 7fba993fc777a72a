import createClient, { type Middleware } from "openapi-fetch";
import { toast } from "sonner";
import { navigate } from "wouter/use-browser-location";
import { ApiError, toProblem } from "@/lib/api/problem";
import type { components, paths } from "@/lib/api/schema";

/**
 * The API's named schemas. Some are nullable in openapi.yaml so that the
 * properties that may be null can reference them (OpenAPI 3.0 has no other
 * way validators accept); a value of the type itself is never null.
 */
export type Schemas = { [K in keyof components["schemas"]]: NonNullable<components["schemas"][K]> };

// Calls that are expected to answer 401 for a signed-out browser; a 401 from
// anything else means the session ended, so the user is sent to sign in.
const noRedirect = new Set(["/api/v1/auth/login", "/api/v1/auth/setup", "/api/v1/auth/providers"]);
const authPages = new Set(["/login", "/setup", "/invite", "/reset-password"]);

/** Sends the browser to the login page, remembering where it was. */
export function redirectToLogin() {
  const { pathname, search } = window.location;
  if (authPages.has(pathname)) return;
  navigate(`/login?next=${encodeURIComponent(pathname + search)}`, { replace: true });
}

let networkDown = false;

const errorPath: Middleware = {
  onResponse({ response, schemaPath }) {
    if (networkDown) {
      networkDown = false;
      toast.dismiss("network");
    }
    if (response.status === 401 && !noRedirect.has(schemaPath)) redirectToLogin();
    return undefined;
  },
  onError({ error, request }) {
    // A canceled query (unmount, newer filter) is not a network problem.
    if (request.signal.aborted || (error instanceof Error && error.name === "AbortError")) {
      return error instanceof Error ? error : new Error(String(error));
    }
    // fetch itself failed: the server is down or the network is gone. Say so
    // once, not once per query.
    if (!networkDown) {
      networkDown = true;
      toast.error("Cannot reach the Downlink server", {
        id: "network",
        description: "Check your connection; Downlink retries on its own.",
      });
    }
    return error instanceof Error ? error : new Error(String(error));
  },
};

/** The one API client: typed by openapi.yaml, same-origin cookies, one error path. */
export const api = createClient<paths>({
  // An absolute base keeps Request() happy outside a browser (tests).
  baseUrl: typeof window !== "undefined" ? window.location.origin : "",
  credentials: "same-origin",
  // Looked up per call so tests can swap fetch.
  fetch: (req: Request) => globalThis.fetch(req),
});
api.use(errorPath);

type Answer<T> = { data?: T; error?: unknown; response: Response };

/** Resolves to the data of a 2xx answer and throws ApiError for anything else. */
export async function unwrap<T>(call: Promise<Answer<T>>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok) throw new ApiError(response.status, toProblem(error, response));
  return data as T;
}

/** Like unwrap, but a 404 (an endpoint the server does not have yet) is null. */
export async function unwrapOptional<T>(call: Promise<Answer<T>>): Promise<T | null> {
  try {
    return await unwrap(call);
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return null;
    throw err;
  }
}
