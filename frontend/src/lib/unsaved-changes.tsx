import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useRef, useState } from "react";

type Registry = {
  report: (key: string, dirty: boolean) => void;
  /** Asks before leaving when something is unsaved; true to go on. */
  confirmLeave: () => boolean;
};

const Ctx = createContext<Registry | null>(null);

export const leaveQuestion = "You have unsaved changes. Leave without saving them?";

/**
 * Keeps track of the forms below it with unsaved edits. While any has
 * some, closing or reloading the tab asks first (beforeunload), and so do
 * links to other pages and whoever calls confirmLeave (a tab switch).
 */
export function UnsavedChangesProvider({ children }: { children: ReactNode }) {
  const dirty = useRef(new Set<string>());
  const [count, setCount] = useState(0);
  const report = useCallback((key: string, d: boolean) => {
    if (d) dirty.current.add(key);
    else dirty.current.delete(key);
    setCount(dirty.current.size);
  }, []);
  const confirmLeave = useCallback(() => dirty.current.size === 0 || window.confirm(leaveQuestion), []);

  useEffect(() => {
    if (count === 0) return;
    const onBeforeUnload = (e: BeforeUnloadEvent) => {
      e.preventDefault();
      e.returnValue = ""; // older browsers need it set
    };
    // In-app links (wouter's and plain ones) to another path: ask first.
    const onClick = (e: MouseEvent) => {
      if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
      const a = (e.target as Element | null)?.closest?.("a[href]");
      if (!(a instanceof HTMLAnchorElement) || a.target === "_blank" || a.hasAttribute("download")) return;
      const to = new URL(a.href, window.location.href);
      if (to.origin !== window.location.origin || to.pathname === window.location.pathname) return;
      if (!window.confirm(leaveQuestion)) {
        e.preventDefault();
        e.stopPropagation();
      }
    };
    window.addEventListener("beforeunload", onBeforeUnload);
    document.addEventListener("click", onClick, true);
    return () => {
      window.removeEventListener("beforeunload", onBeforeUnload);
      document.removeEventListener("click", onClick, true);
    };
  }, [count]);

  const value = useMemo(() => ({ report, confirmLeave }), [report, confirmLeave]);
  return <Ctx value={value}>{children}</Ctx>;
}

/** Tells the nearest provider whether this form (key) has unsaved edits. */
export function useReportDirty(key: string, dirty: boolean) {
  const r = useContext(Ctx);
  useEffect(() => {
    if (!r) return;
    r.report(key, dirty);
    return () => r.report(key, false);
  }, [r, key, dirty]);
}

/** Asks before leaving when a form below the provider has unsaved edits; true to go on. */
export function useConfirmLeave(): () => boolean {
  const r = useContext(Ctx);
  return r?.confirmLeave ?? (() => true);
}
