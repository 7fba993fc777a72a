import { Suspense } from "react";
import { Route, Switch } from "wouter";
import { PageSkeleton } from "@/components/layout/page-skeleton";
import { AppLayout } from "@/app/app-layout";
import { RequireAuth } from "@/app/require-auth";
import { LoginPage, NotFoundPage, pageRoutes, SetupPage } from "@/app/routes";
import { useMe } from "@/features/auth/api/get-me";

function SignedInRoutes() {
  const { data: me } = useMe();
  const routes = pageRoutes.filter((r) => !r.adminOnly || me?.role === "admin");
  return (
    <Switch>
      {routes.map((r) => (
        <Route key={r.path} path={r.path} component={r.page} />
      ))}
      <Route component={NotFoundPage} />
    </Switch>
  );
}

export function Router() {
  return (
    <Suspense fallback={null}>
      <Switch>
        <Route path="/login" component={LoginPage} />
        <Route path="/setup" component={SetupPage} />
        <Route>
          <RequireAuth>
            <AppLayout>
              <Suspense fallback={<PageSkeleton />}>
                <SignedInRoutes />
              </Suspense>
            </AppLayout>
          </RequireAuth>
        </Route>
      </Switch>
    </Suspense>
  );
}
