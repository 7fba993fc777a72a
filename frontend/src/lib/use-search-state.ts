import { useCallback, useMemo } from "react";
import { useLocation, useSearch } from "wouter";

type StringRecord = Record<string, string>;

/**
 * Page state kept in the query string (filters, sort, view), so a reload, a
 * shared link or the way back from the login page shows the same list.
 * Values equal to the default are left out of the URL; values not in
 * `allowed` fall back to the default; other parameters are kept as they are.
 */
export function useSearchState<T extends StringRecord>(
  defaults: T,
  allowed: { [K in keyof T]?: readonly string[] } = {},
): [T, (next: T) => void] {
  const search = useSearch();
  const [location, navigate] = useLocation();
  const value = useMemo(() => {
    const params = new URLSearchParams(search);
    const out = { ...defaults };
    for (const key of Object.keys(defaults) as (keyof T & string)[]) {
      const v = params.get(key);
      const ok = allowed[key];
      if (v !== null && (!ok || ok.includes(v))) out[key] = v as T[typeof key];
    }
    return out;
    // defaults and allowed are module constants at every call site.
  }, [search]);
  const set = useCallback(
    (next: T) => {
      const params = new URLSearchParams(search);
      for (const key of Object.keys(defaults)) {
        if (next[key] === defaults[key] || next[key] === "") params.delete(key);
        else params.set(key, next[key]!);
      }
      const qs = params.toString();
      navigate(qs ? `${location}?${qs}` : location, { replace: true });
    },
    [search, location, navigate],
  );
  return [value, set];
}
