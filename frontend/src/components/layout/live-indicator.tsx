import type { StreamStatus } from "@/lib/sse/use-event-stream";
import { cn } from "@/lib/utils";

const text: Record<StreamStatus, string> = { live: "Live", connecting: "Connecting…", reconnecting: "Reconnecting…" };

/** Whether live updates are flowing (the /api/v1/events stream is open). */
export function LiveIndicator({ status }: { status: StreamStatus }) {
  return (
    <span
      role="status"
      aria-live="polite"
      data-status={status}
      className="inline-flex items-center gap-2 rounded-full border px-2.5 py-1 text-xs font-medium"
      title={status === "live" ? "Live updates are on" : "Live updates are paused; reconnecting"}
    >
      <span className="relative flex size-2" aria-hidden>
        {status === "live" && <span className="absolute inline-flex h-full w-full animate-ping rounded-full bg-success opacity-60" />}
        <span className={cn("relative inline-flex size-2 rounded-full", status === "live" ? "bg-success" : "bg-warning")} />
      </span>
      {text[status]}
    </span>
  );
}
