import type { ReactNode } from "react";
import { AppShell } from "@/components/layout/app-shell";
import { LiveIndicator } from "@/components/layout/live-indicator";
import { ThemeToggle } from "@/components/layout/theme-toggle";
import { StreamStatusContext } from "@/lib/sse/stream-status";
import { useEventStream } from "@/lib/sse/use-event-stream";
import { navItemsFor } from "@/app/nav-items";
import { useMe } from "@/features/auth/api/get-me";
import { UserMenu } from "@/features/auth/components/user-menu";
import { ReadinessBanner } from "@/features/system/components/readiness-banner";

/** The signed-in frame: sidebar for this role, live indicator, theme, user menu, readiness banner. */
export function AppLayout({ children }: { children: ReactNode }) {
  const { data: me } = useMe();
  const status = useEventStream(!!me);
  if (!me) return null;
  return (
    <StreamStatusContext value={status}>
      <AppShell
        nav={navItemsFor(me.role)}
        banner={<ReadinessBanner />}
        topBar={
          <>
            <LiveIndicator status={status} />
            <ThemeToggle />
            <UserMenu me={me} />
          </>
        }
      >
        {children}
      </AppShell>
    </StreamStatusContext>
  );
}
