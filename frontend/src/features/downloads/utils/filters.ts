import type { Schemas } from "@/lib/api/client";
import { statusLabels } from "@/features/downloads/components/status-badge";

/*
 * The download list's filters: their values, defaults and what the URL may
 * hold. Apart from the toolbar (and its selects), so a page that only lists
 * (the home page) does not load the toolbar's code.
 */

export type DownloadFilters = {
  status: "all" | "active" | Schemas["DownloadStatus"];
  platform: "all" | Schemas["Platform"];
  q: string;
  sort: "-created_at" | "created_at" | "title" | "-title" | "status" | "-status";
};

export const defaultFilters: DownloadFilters = { status: "all", platform: "all", q: "", sort: "-created_at" };

export const sorts: Record<DownloadFilters["sort"], string> = {
  "-created_at": "Newest first",
  created_at: "Oldest first",
  title: "Title A–Z",
  "-title": "Title Z–A",
  status: "Status",
  "-status": "Status (reverse)",
};

/** The values each filter may take in the URL. */
export const allowedFilters = {
  status: ["all", "active", ...Object.keys(statusLabels)],
  sort: Object.keys(sorts),
};
