import { type ReactNode, Suspense, useDeferredValue } from "react";
import { Route, Switch } from "wouter";
import { BootShell } from "@/components/layout/boot-shell";
import { PageSkeleton } from "@/components/layout/page-skeleton";
import { AppLayout } from "@/app/app-layout";
import { RequireAuth } from "@/app/require-auth";
import { AdminsOnlyPage, InvitePage, LoginPage, NotFoundPage, pageRoutes, ResetPasswordPage, SetupPage } from "@/app/routes";
import { useMe } from "@/features/auth/api/get-me";

function SignedInRoutes() {
  const { data: me } = useMe();
  const admin = me?.role === "admin";
  return (
    <Switch>
      {pageRoutes.map((r) => (
        <Route key={r.path} path={r.path} component={!r.adminOnly || admin ? r.page : AdminsOnlyPage} />
      ))}
      <Route component={NotFoundPage} />
    </Switch>
  );
}

/**
 * Shows the skeleton on the frame's first render and the page right after,
 * at a priority React may interrupt: the frame paints at once, and the
 * page's first render (the home page is the largest) is cut into slices
 * instead of one long task that holds input up. Later navigations render
 * as usual: this stays mounted.
 */
function DeferredFirstPage({ children }: { children: ReactNode }) {
  const show = useDeferredValue(true, false);
  return show ? children : <PageSkeleton />;
}

export function Router() {
  return (
    <Suspense fallback={<BootShell />}>
      <Switch>
        <Route path="/login" component={LoginPage} />
        <Route path="/setup" component={SetupPage} />
        <Route path="/invite" component={InvitePage} />
        <Route path="/reset-password" component={ResetPasswordPage} />
        <Route>
          <RequireAuth>
            <AppLayout>
              <Suspense fallback={<PageSkeleton />}>
                <DeferredFirstPage>
                  <SignedInRoutes />
                </DeferredFirstPage>
              </Suspense>
            </AppLayout>
          </RequireAuth>
        </Route>
      </Switch>
    </Suspense>
  );
}
