import { queryOptions, useQuery } from "@tanstack/react-query";
import { api, redirectToLogin, unwrap } from "@/lib/api/client";
import { ApiError, isApiError } from "@/lib/api/problem";
import { queryKeys } from "@/lib/query-keys";
import { getProviders } from "@/features/auth/api/get-providers";

/** The cookie the server sets beside the session cookie (readable, no secret): "a session was issued". */
const hint = "downlink_signed_in";
const hasHint = () => typeof document !== "undefined" && document.cookie.split("; ").some((c) => c.startsWith(`${hint}=`) && c !== `${hint}=`);
const clearHint = () => {
  if (typeof document !== "undefined") document.cookie = `${hint}=; Max-Age=0; Path=/`;
};

/**
 * Who is signed in. Without the hint cookie the public providers call says
 * whether a session exists first, so a signed-out page load goes to the
 * login page without a 401 (which every browser prints as a console error).
 */
export async function getMe() {
  if (!hasHint()) {
    const p = await getProviders();
    if (!p.signed_in) {
      redirectToLogin();
      throw new ApiError(401, { type: "about:blank" as never, title: "Authentication required", status: 401 });
    }
  }
  try {
    return await unwrap(api.GET("/api/v1/auth/me"));
  } catch (err) {
    if (isApiError(err, 401)) clearHint(); // the session ended: the next load asks first again
    throw err;
  }
}

export const meQueryOptions = () =>
  queryOptions({
    queryKey: queryKeys.me,
    queryFn: getMe,
    staleTime: 5 * 60_000,
    // A 401 here is the normal signed-out answer; the client redirects.
    meta: { silent: true },
  });

export const useMe = () => useQuery(meQueryOptions());
