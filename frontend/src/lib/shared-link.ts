/** What the Web Share Target hands over: `url`, `text` and `title` (any may be empty). */
export type SharedData = { url?: string | null; text?: string | null; title?: string | null };

const httpLink = /\bhttps?:\/\/[^\s<>"']+/i;

/** Trailing punctuation that ends a sentence, not the link ("see https://x.y/z."). */
function trimTrailing(link: string): string {
  let out = link.replace(/[.,;:!?]+$/, "");
  // A closing bracket belongs to the link only when it opened one.
  for (const [open, close] of [["(", ")"], ["[", "]"]] as const) {
    while (out.endsWith(close) && out.split(open).length < out.split(close).length) out = out.slice(0, -1);
  }
  return out;
}

/**
 * The link a share carries. Apps differ: some fill `url`, many put the link
 * in `text` ("Look at this https://youtu.be/…"), a few in `title`. The first
 * http(s) link found in url, then text, then title; null when there is none.
 */
export function extractSharedLink(d: SharedData): string | null {
  for (const field of [d.url, d.text, d.title]) {
    const m = field?.trim().match(httpLink);
    if (!m) continue;
    const link = trimTrailing(m[0]);
    try {
      const u = new URL(link);
      if (u.protocol === "http:" || u.protocol === "https:") return u.toString();
    } catch {
      // not a URL after all; try the next field
    }
  }
  return null;
}
