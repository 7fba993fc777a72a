import type { ReactNode } from "react";
import { Button } from "@/components/ui/button";
import { isApiError } from "@/lib/api/problem";
import { useMe } from "@/features/auth/api/get-me";

/** Renders its children once we know who is signed in; a 401 has already sent the browser to /login. */
export function RequireAuth({ children }: { children: ReactNode }) {
  const me = useMe();
  if (me.data) return children;
  if (me.isError && !isApiError(me.error, 401)) {
    return (
      <main id="main" className="flex min-h-dvh flex-col items-center justify-center gap-3 p-4 text-center">
        <p className="font-medium">Downlink could not be reached.</p>
        <Button onClick={() => me.refetch()}>Try again</Button>
      </main>
    );
  }
  return <div className="min-h-dvh" aria-busy="true" />;
}
