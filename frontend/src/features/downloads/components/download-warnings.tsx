import { AlertTriangleIcon } from "lucide-react";
import type { Schemas } from "@/lib/api/client";

/**
 * What a download wants its user to know without having failed: the items
 * a post completed without ("Downloaded 2 of 3 items. Skipped item 2 …"),
 * Spotify metadata that came without ISRC. Compact in a list row, whole in
 * the detail sheet.
 */
export function DownloadWarnings({ warnings, compact = false }: { warnings: Schemas["DownloadWarning"][]; compact?: boolean }) {
  if (warnings.length === 0) return null;
  if (compact) {
    return (
      <p className="flex items-start gap-1 text-xs text-foreground" data-testid="download-warning">
        <AlertTriangleIcon className="mt-0.5 size-3 shrink-0 text-warning" aria-hidden />
        <span className="line-clamp-2">{warnings[0]!.message}</span>
      </p>
    );
  }
  return (
    <div role="status" className="rounded-md border border-warning/50 bg-warning/10 p-3 text-sm" data-testid="download-warnings">
      <p className="flex items-center gap-1 font-medium">
        <AlertTriangleIcon className="size-4 text-warning" aria-hidden /> {warnings.length === 1 ? "Warning" : `${warnings.length} warnings`}
      </p>
      <ul className="mt-1 grid gap-1">
        {warnings.map((w) => (
          <li key={w.code + w.message}>
            {w.message}
            <span className="ml-1 text-xs text-muted-foreground">({w.code})</span>
          </li>
        ))}
      </ul>
    </div>
  );
}
