import { lazy, type ReactNode, Suspense } from "react";
import { Button } from "@/components/ui/button";
import { isApiError } from "@/lib/api/problem";
import { AuthLayout } from "@/components/layout/auth-layout";
import { BootShell } from "@/components/layout/boot-shell";
import { useMe } from "@/features/auth/api/get-me";
import { useLogout } from "@/features/auth/api/logout";

// The form (and zod with it) loads only for the rare temporary password.
const PasswordForm = lazy(() => import("@/features/auth/components/password-form").then((m) => ({ default: m.PasswordForm })));

/** A temporary password an admin set allows nothing else until it is changed. */
function ChooseOwnPassword() {
  const logout = useLogout();
  return (
    <AuthLayout title="Choose your own password" description="Your administrator gave you a temporary password. Replace it to continue.">
      <div className="grid gap-3">
        <Suspense fallback={null}>
          <PasswordForm />
        </Suspense>
        <Button variant="ghost" className="justify-self-start" onClick={() => logout.mutate()}>
          Sign out
        </Button>
      </div>
    </AuthLayout>
  );
}

/** Renders its children once we know who is signed in; a 401 has already sent the browser to /login. */
export function RequireAuth({ children }: { children: ReactNode }) {
  const me = useMe();
  if (me.data?.user.must_change_password) return <ChooseOwnPassword />;
  if (me.data) return children;
  if (me.isError && !isApiError(me.error, 401)) {
    return (
      <main id="main" className="flex min-h-dvh flex-col items-center justify-center gap-3 p-4 text-center">
        <p className="font-medium">Downlink could not be reached.</p>
        <Button onClick={() => me.refetch()}>Try again</Button>
      </main>
    );
  }
  return <BootShell />;
}
