import type { Schemas } from "@/lib/api/client";

export type DetectedPlatform = Schemas["Platform"];

const youtubeHosts = /^(?:(?:www|m|music)\.)?youtube\.com$|^youtu\.be$|^(?:www\.)?youtube-nocookie\.com$/;
const instagramHosts = /^(?:(?:www|m)\.)?instagram\.com$|^instagr\.am$/;
const spotifyHosts = /^open\.spotify\.com$|^play\.spotify\.com$|^spotify\.link$/;

/**
 * Which platform a typed URL belongs to, as the server decides it (by host;
 * spotify: URIs too). Returns null while the text is not a URL yet, and
 * "generic" for any other http(s) site. Tolerates a missing scheme
 * ("youtu.be/abc") because people paste that.
 */
export function detectPlatform(input: string): DetectedPlatform | null {
  const text = input.trim();
  if (!text) return null;
  if (/^spotify:(track|album|playlist|artist|episode|show|user):/i.test(text)) return "spotify";
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`);
  } catch {
    return null;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return null;
  const host = url.hostname.toLowerCase().replace(/\.$/, "");
  if (!host.includes(".") && host !== "localhost") return null;
  if (youtubeHosts.test(host)) return "youtube";
  if (spotifyHosts.test(host)) return "spotify";
  if (instagramHosts.test(host)) return "instagram";
  return "generic";
}
