import { DownloadCloudIcon } from "lucide-react";

/**
 * The frame's top bar, shown while the app starts: before the JavaScript
 * runs it is index.html's copy of this markup (keep the two alike), then
 * this component until the signed-in frame or the sign-in page replaces
 * it, so nothing flashes blank in between.
 */
export function BootShell() {
  return (
    <div className="min-h-dvh bg-background lg:pl-60" aria-busy="true">
      <aside className="fixed inset-y-0 left-0 hidden w-60 border-r bg-sidebar lg:block" />
      <header className="flex h-14 items-center gap-2 border-b bg-background px-3 sm:px-4">
        <span className="flex items-center gap-2 px-1 text-lg font-semibold tracking-tight text-foreground">
          <DownloadCloudIcon className="size-6 text-primary" aria-hidden />
          Downlink
        </span>
      </header>
    </div>
  );
}
