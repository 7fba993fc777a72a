import type { components } from "@/lib/api/schema";

type Code = components["schemas"]["DownloadErrorCode"];

/** A short headline per failure code; the server's message says the rest (what to do). */
const titles: Partial<Record<Code, string>> = {
  unavailable: "Not available",
  private: "Private",
  geo_blocked: "Not available in this server's country",
  login_required: "Sign-in required",
  bot_check: "The site asked to confirm this is not a bot",
  rate_limited: "Rate limited by the site",
  drm: "DRM protected (cannot be downloaded)",
  youtube_blocked: "YouTube blocked the stream",
  blocked_destination: "Blocked destination",
  network: "Network error",
  host_not_found: "Site not found",
  connection_refused: "Connection refused",
  proxy_failed: "Proxy failed",
  disk_full: "Disk full",
  ytdlp_missing: "yt-dlp is missing",
};

export function errorTitle(code: string): string {
  return titles[code as Code] ?? "Failed";
}

/** Codes where the System page (the YouTube challenge solver) helps explain the failure. */
export function pointsAtSystem(code: string): boolean {
  return code === "youtube_blocked";
}
