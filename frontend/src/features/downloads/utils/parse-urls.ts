/**
 * The links in what was pasted: one per line, trimmed, blank lines and
 * repeats left out, in the order given.
 */
export function parseUrls(text: string): string[] {
  const seen = new Set<string>();
  for (const line of text.split(/\r\n|\r|\n/)) {
    const u = line.trim();
    if (u) seen.add(u);
  }
  return [...seen];
}
