import type * as React from "react";
import { Link, useLocation } from "wouter";
import { cn } from "@/lib/utils";

export type NavItem = {
  href: string;
  label: string;
  icon: React.ComponentType<{ className?: string; "aria-hidden"?: boolean }>;
  /** Links outside the SPA (e.g. /swagger/) open as plain pages. */
  external?: boolean;
};

export function isActive(location: string, href: string) {
  return href === "/" ? location === "/" : location === href || location.startsWith(`${href}/`);
}

/** The sidebar's links; `onNavigate` closes the phone drawer. */
export function Nav({ items, onNavigate }: { items: NavItem[]; onNavigate?: () => void }) {
  const [location] = useLocation();
  const cls = (active: boolean) =>
    cn(
      "flex items-center gap-3 rounded-md px-3 py-2 text-sm font-medium transition-colors hover:bg-accent hover:text-accent-foreground [&_svg]:size-4",
      active ? "bg-accent text-accent-foreground" : "text-muted-foreground",
    );
  return (
    <nav aria-label="Main">
      <ul className="grid gap-1">
        {items.map((item) => {
          const active = !item.external && isActive(location, item.href);
          const content = (
            <>
              <item.icon aria-hidden />
              {item.label}
            </>
          );
          return (
            <li key={item.href}>
              {item.external ? (
                <a href={item.href} className={cls(false)} target="_blank" rel="noreferrer">
                  {content}
                  <span className="sr-only"> (opens in a new tab)</span>
                </a>
              ) : (
                <Link href={item.href} className={cls(active)} aria-current={active ? "page" : undefined} onClick={onNavigate}>
                  {content}
                </Link>
              )}
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
