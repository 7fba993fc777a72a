import type { Schemas } from "@/lib/api/client";
import type { Platform as DetectedPlatform } from "@/lib/platforms";

export { presets } from "@/lib/presets";
export const audioFormats: Schemas["AudioFormat"][] = ["mp3", "m4a", "opus", "flac"];
export const sponsorCategories: Schemas["SponsorBlockCategory"][] = [
  "sponsor",
  "intro",
  "outro",
  "selfpromo",
  "preview",
  "filler",
  "interaction",
  "music_offtopic",
  "hook",
];

export type OptionValues = {
  preset: "default" | Schemas["Preset"];
  audio_format: "default" | Schemas["AudioFormat"];
  audio_quality: "best" | "320" | "256" | "192" | "128" | "96";
  subtitle_languages: string;
  subtitles_embed: boolean;
  subtitles_auto: boolean;
  embed_thumbnail: boolean;
  embed_metadata: boolean;
  embed_chapters: boolean;
  sponsorblock_remove: Schemas["SponsorBlockCategory"][];
  playlist_items: string;
};

export const defaultOptionValues: OptionValues = {
  preset: "default",
  audio_format: "default",
  audio_quality: "best",
  subtitle_languages: "",
  subtitles_embed: true,
  subtitles_auto: false,
  embed_thumbnail: true,
  embed_metadata: true,
  embed_chapters: true,
  sponsorblock_remove: [],
  playlist_items: "",
};

/** Server field paths → the form fields that show them. */
export const optionAliases: Record<string, string> = {
  preset: "preset",
  "options.preset": "preset",
  "options.audio_format": "audio_format",
  "options.audio_quality": "audio_quality",
  "options.subtitles": "subtitle_languages",
  "options.subtitles.languages": "subtitle_languages",
  "options.embed_thumbnail": "embed_thumbnail",
  "options.embed_metadata": "embed_metadata",
  "options.embed_chapters": "embed_chapters",
  "options.sponsorblock_remove": "sponsorblock_remove",
  "options.playlist_items": "playlist_items",
};

/**
 * Only what the user changed is sent, so everything else takes the
 * platform's defaults as the admin set them.
 */
export function toRequest(url: string, v: OptionValues, platform: DetectedPlatform | null): Schemas["CreateDownloadRequest"] {
  const options: Schemas["DownloadOptions"] = {};
  const forAudio = v.preset === "audio" || platform === "spotify";
  if (forAudio && v.audio_format !== "default") options.audio_format = v.audio_format;
  if (forAudio && v.audio_quality !== "best") options.audio_quality = Number(v.audio_quality);
  const audioOnly = v.preset === "audio" || platform === "spotify";
  const langs = audioOnly ? [] : splitLanguages(v.subtitle_languages);
  if (langs.length > 0) options.subtitles = { languages: langs, embed: v.subtitles_embed, auto: v.subtitles_auto };
  if (!v.embed_thumbnail) options.embed_thumbnail = false;
  if (!v.embed_metadata) options.embed_metadata = false;
  if (!v.embed_chapters) options.embed_chapters = false;
  if (platform === "youtube" && v.sponsorblock_remove.length > 0) options.sponsorblock_remove = v.sponsorblock_remove;
  if (v.playlist_items.trim()) options.playlist_items = v.playlist_items.trim();
  const req: Schemas["CreateDownloadRequest"] = { url: url.trim() };
  if (v.preset !== "default") req.preset = v.preset;
  if (Object.keys(options).length > 0) req.options = options;
  return req;
}

const splitLanguages = (s: string) =>
  s
    .split(/[\s,]+/)
    .map((l) => l.trim())
    .filter(Boolean);

/** The form's options as remembered (only what applies: an audio format for audio, subtitles for video). */
export function toPreferences(v: OptionValues): Schemas["UserPreferences"] {
  const audio = v.preset === "audio";
  const langs = splitLanguages(v.subtitle_languages);
  return {
    download: {
      preset: v.preset === "default" ? null : v.preset,
      audio_format: audio && v.audio_format !== "default" ? v.audio_format : null,
      subtitles: !audio && langs.length > 0 ? { languages: langs, embed: v.subtitles_embed, auto: v.subtitles_auto } : null,
    },
  };
}

/** The form's starting options: the defaults, with what this user chose last. */
export function fromPreferences(p: Schemas["UserPreferences"] | undefined): OptionValues {
  const d = p?.download;
  if (!d) return defaultOptionValues;
  return {
    ...defaultOptionValues,
    preset: d.preset ?? "default",
    audio_format: d.audio_format ?? "default",
    subtitle_languages: d.subtitles?.languages.join(", ") ?? "",
    subtitles_embed: d.subtitles?.embed ?? defaultOptionValues.subtitles_embed,
    subtitles_auto: d.subtitles?.auto ?? defaultOptionValues.subtitles_auto,
  };
}

/** The whole new-download form: the link and its options. */
export type NewDownloadValues = OptionValues & { url: string };
