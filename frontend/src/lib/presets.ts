import type { Schemas } from "@/lib/api/client";

/** Every preset, the default for video first (openapi.yaml Preset). */
export const presets = ["compatible", "best", "2160p", "1440p", "1080p", "720p", "480p", "360p", "audio"] as const satisfies readonly Schemas["Preset"][];

export function presetLabel(p: Schemas["Preset"]): string {
  switch (p) {
    case "compatible":
      return "Compatible (H.264 mp4, plays everywhere)";
    case "best":
      return "Best available (AV1/VP9, may not play everywhere)";
    case "audio":
      return "Audio only";
    default:
      return `Up to ${p}`;
  }
}

/** What a preset means for the file, in a sentence. */
export function presetHint(p: Schemas["Preset"] | "default"): string {
  switch (p) {
    case "compatible":
      return "H.264 video and AAC audio in mp4, up to 1080p: plays in the browser and on ordinary devices.";
    case "best":
      return "The highest quality the site offers, often AV1 or VP9 (sometimes HDR) in mp4 or mkv: browsers and TVs may not play it; download it instead.";
    case "audio":
      return "Audio only, converted to the audio format.";
    case "default":
      return "The platform's default (compatible unless an admin chose otherwise).";
    default:
      return `The best at or below ${p}, in any codec.`;
  }
}
