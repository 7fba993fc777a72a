import type { StreamStatus } from "@/lib/sse/use-event-stream";
import { cn } from "@/lib/utils";

const text: Record<StreamStatus, string> = { live: "Live", connecting: "Connecting…", reconnecting: "Reconnecting…" };

/**
 * Whether live updates are flowing (the /api/v1/events stream is open).
 * On a phone it is the dot alone (the word stays for screen readers and
 * in the tooltip): "Reconnecting…" beside the theme and account buttons
 * pushed the header past a 375 px screen.
 */
export function LiveIndicator({ status }: { status: StreamStatus }) {
  return (
    <span
      role="status"
      aria-live="polite"
      data-status={status}
      className="inline-flex items-center gap-2 rounded-full border px-2 py-1 text-xs font-medium sm:px-2.5"
      title={status === "live" ? "Live updates are on" : "Live updates are paused; reconnecting"}
    >
      <span className="relative flex size-2" aria-hidden>
        {status === "live" && <span className="absolute inline-flex h-full w-full rounded-full bg-success opacity-60 motion-safe:animate-ping" />}
        <span className={cn("relative inline-flex size-2 rounded-full", status === "live" ? "bg-success" : "bg-warning")} />
      </span>
      <span className="max-sm:sr-only">{text[status]}</span>
    </span>
  );
}
