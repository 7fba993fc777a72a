import { useEffect } from "react";

/** Sets the tab title, so history and screen readers name the page. */
export function useDocumentTitle(title: string) {
  useEffect(() => {
    document.title = title ? `${title} · Downlink` : "Downlink";
  }, [title]);
}
