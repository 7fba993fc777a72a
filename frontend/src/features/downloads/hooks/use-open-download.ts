import { useCallback } from "react";
import { useLocation, useSearch } from "wouter";
import { useSearchState } from "@/lib/use-search-state";

const defaults = { open: "" };

/**
 * Which download's detail is open, kept in the query string (`?open=<id>`),
 * so a link can open one and a reload keeps it open. `hrefFor` is the link
 * that opens a download on this page, keeping the page's other parameters.
 */
export function useOpenDownload() {
  const [state, setState] = useSearchState(defaults);
  const search = useSearch();
  const [location] = useLocation();
  const hrefFor = useCallback(
    (id: string) => {
      const params = new URLSearchParams(search);
      params.set("open", id);
      return `${location}?${params.toString()}`;
    },
    [search, location],
  );
  return {
    openId: state.open || null,
    open: (id: string) => setState({ open: id }),
    close: () => setState({ open: "" }),
    hrefFor,
  };
}
