import { DownloadCloudIcon, MenuIcon } from "lucide-react";
import { type ReactNode, useEffect, useRef, useState } from "react";
import { Link, useLocation } from "wouter";
import { Nav, type NavItem } from "@/components/layout/nav";
import { Button } from "@/components/ui/button";
import { Sheet, SheetContent, SheetDescription, SheetTitle } from "@/components/ui/sheet";

function Brand() {
  return (
    <Link href="/" className="flex items-center gap-2 rounded-md px-1 text-lg font-semibold tracking-tight">
      <DownloadCloudIcon className="size-6 text-primary" aria-hidden />
      Downlink
    </Link>
  );
}

/**
 * The frame of every signed-in page: a sidebar (a drawer on phones), a top
 * bar, an optional banner and the page. The app layer fills in the slots, so
 * this stays free of any feature.
 */
export function AppShell({
  nav,
  topBar,
  banner,
  children,
}: {
  nav: NavItem[];
  topBar: ReactNode;
  banner?: ReactNode;
  children: ReactNode;
}) {
  const [open, setOpen] = useState(false);
  const [location] = useLocation();
  const mainRef = useRef<HTMLElement>(null);
  const first = useRef(true);
  const navigated = useRef(false);
  useEffect(() => {
    // A new page starts at the top, and keyboard and screen-reader users
    // land on its content rather than on the link they used.
    if (first.current) {
      first.current = false;
      return;
    }
    window.scrollTo(0, 0);
    mainRef.current?.focus({ preventScroll: true });
  }, [location]);
  return (
    <div className="min-h-dvh bg-background">
      <a
        href="#main"
        className="sr-only z-[60] rounded-md bg-primary px-3 py-2 text-primary-foreground focus:not-sr-only focus:fixed focus:top-2 focus:left-2"
      >
        Skip to content
      </a>
      <aside className="fixed inset-y-0 left-0 hidden w-60 flex-col gap-6 border-r bg-sidebar p-4 lg:flex">
        <Brand />
        <Nav items={nav} />
      </aside>
      <Sheet open={open} onOpenChange={setOpen}>
        <SheetContent
          side="left"
          className="bg-sidebar"
          onCloseAutoFocus={(e) => {
            // Closed by following a link: focus goes to the new page, not back to the menu button.
            if (navigated.current) e.preventDefault();
            navigated.current = false;
          }}
        >
          <SheetTitle className="sr-only">Navigation</SheetTitle>
          <SheetDescription className="sr-only">Pages of Downlink</SheetDescription>
          <Brand />
          <Nav
            items={nav}
            onNavigate={() => {
              navigated.current = true;
              setOpen(false);
            }}
          />
        </SheetContent>
      </Sheet>
      <div className="flex min-h-dvh flex-col lg:pl-60">
        <header className="sticky top-0 z-40 flex h-14 items-center gap-2 border-b bg-background/90 px-3 backdrop-blur sm:px-4">
          <Button variant="ghost" size="icon" className="lg:hidden" aria-label="Open navigation" onClick={() => setOpen(true)}>
            <MenuIcon aria-hidden />
          </Button>
          <div className="lg:hidden">
            <Brand />
          </div>
          <div className="ml-auto flex items-center gap-1 sm:gap-2">{topBar}</div>
        </header>
        {banner}
        <main id="main" ref={mainRef} tabIndex={-1} className="mx-auto w-full max-w-7xl flex-1 p-3 outline-none sm:p-6">
          {children}
        </main>
      </div>
    </div>
  );
}
