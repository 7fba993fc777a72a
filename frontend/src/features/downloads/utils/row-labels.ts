import type { Schemas } from "@/lib/api/client";

type Download = Schemas["Download"];

/** What the row is called: the title, or "Fetching info…" until the first metadata arrives. */
export function rowTitle(d: Download): string {
  if (d.title) return d.title;
  if (d.status === "queued" || d.status === "fetching_info") return "Fetching info…";
  return d.url;
}

/** "audio" for an audio-only download (or when every file is audio), else the kind. */
export function kindLabel(d: Download): string {
  if (d.kind !== "video") return d.kind;
  if (d.options.preset === "audio") return "audio";
  if (d.files.length > 0 && d.files.every((f) => f.kind === "audio")) return "audio";
  return d.kind;
}

/**
 * A playlist parent while its children run: "Downloading · 2 of 3" (the item
 * in progress of all) and the share of children finished, for one bar.
 */
export function parentProgress(d: Download): { label: string; percent: number } | null {
  const s = d.children_summary;
  const total = d.children_count;
  if (!s || total === 0) return null;
  const finished = s.completed + s.failed + s.canceled;
  if (finished >= total) return null;
  const current = Math.min(total, finished + 1);
  const verb = s.needs_match > 0 && s.downloading + s.fetching_info + s.post_processing === 0 ? "Waiting for a match" : "Downloading";
  return { label: `${verb} · ${current} of ${total}`, percent: (finished / total) * 100 };
}

/** The first file a browser can show in the page (video or audio). */
export function playableFile(d: Download): Schemas["LibraryFile"] | null {
  return d.files.find((f) => !f.missing && (f.kind === "video" || f.kind === "audio")) ?? null;
}
