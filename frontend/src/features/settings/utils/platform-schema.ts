import { z } from "zod";
import { presets } from "@/lib/presets";

const audioFormats = ["mp3", "m4a", "opus", "flac"] as const;
const sponsor = ["sponsor", "intro", "outro", "selfpromo", "preview", "filler", "interaction", "music_offtopic", "hook"] as const;

const httpUrl = z
  .string()
  .trim()
  .refine((v) => /^https?:\/\/\S+$/i.test(v), "An http(s) URL");

export const langPattern = /^(all|[a-z]{2,3}(-[A-Za-z0-9]{2,8})*)$/;

/** Client-side checks of a platform card; the server checks again (cookies, proxy reachability…). */
export const platformSchema = z.object({
  enabled: z.boolean(),
  default_preset: z.enum(presets),
  audio_format: z.enum(audioFormats),
  max_concurrent: z
    .string()
    .trim()
    .refine((v) => /^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 32, "A whole number from 1 to 32"),
  rate_limit_bytes_per_second: z.number({ error: "Enter a number" }).int().min(1, "At least 1 byte/s, or empty for no limit").nullable(),
  sleep_between_requests_seconds: z
    .string()
    .trim()
    .refine((v) => v !== "" && Number.isFinite(Number(v)) && Number(v) >= 0 && Number(v) <= 60, "Between 0 and 60 seconds"),
  min_start_interval_seconds: z
    .string()
    .trim()
    .refine((v) => v !== "" && Number.isFinite(Number(v)) && Number(v) >= 0 && Number(v) <= 3600, "Between 0 and 3600 seconds"),
  proxy: z
    .string()
    .trim()
    .max(2048)
    .refine((v) => v === "" || /^(https?|socks5h?):\/\/\S+$/i.test(v), "An http://, https:// or socks5:// URL, or empty"),
  cookies: z.string().max(512 * 1024, "At most 512 KB"),
  options: z.object({
    youtube: z.object({
      subtitle_languages: z.string().refine((v) => {
        const langs = v.split(/[\s,]+/).filter(Boolean);
        return langs.length <= 20 && langs.every((l) => langPattern.test(l));
      }, "Language codes such as en, de, pt-BR (or all), at most 20"),
      sponsorblock_categories: z.array(z.enum(sponsor)),
      auto_captions: z.boolean(),
      remote_components: z.array(z.enum(["ejs:npm", "ejs:github"])),
      extractor_args: z.record(z.string(), z.string()),
      po_token_provider_url: z
        .string()
        .trim()
        .refine((v) => v === "" || /^https?:\/\/[^\s/@;,]+\/?$/i.test(v), "An http(s) base URL such as http://bgutil:4416, or empty"),
    }),
    spotify: z.object({
      client_id: z.string().trim().max(200),
      client_secret: z.string().max(200),
      api_base_url: httpUrl,
      token_url: httpUrl,
      embed_base_url: httpUrl,
      search_backend: z.enum(["auto", "youtube_music", "youtube"]),
    }),
    instagram: z.object({ base_url: httpUrl }),
  }),
});
