import { DownloadCloudIcon } from "lucide-react";
import type { ReactNode } from "react";

/** The centered card frame of the sign-in and setup pages. */
export function AuthLayout({ title, description, children }: { title: string; description?: ReactNode; children: ReactNode }) {
  return (
    <main id="main" className="flex min-h-dvh items-center justify-center bg-muted/40 p-4">
      <div className="w-full max-w-sm">
        <div className="mb-6 flex items-center justify-center gap-2 text-2xl font-semibold tracking-tight">
          <DownloadCloudIcon className="size-8 text-primary" aria-hidden /> Downlink
        </div>
        <div className="rounded-xl border bg-card p-6 shadow-sm">
          <h1 className="text-xl font-semibold">{title}</h1>
          {description && <p className="mt-1 mb-5 text-sm text-muted-foreground">{description}</p>}
          {children}
        </div>
      </div>
    </main>
  );
}
