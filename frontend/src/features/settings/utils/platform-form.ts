import type { Schemas } from "@/lib/api/client";

type S = Schemas;
export type SearchBackend = NonNullable<S["SpotifyOptions"]["search_backend"]>;

/** A platform card's form: numbers as typed text, secrets empty unless being replaced. */
export type PlatformValues = {
  enabled: boolean;
  default_preset: S["Preset"];
  audio_format: S["AudioFormat"];
  max_concurrent: string;
  rate_limit_bytes_per_second: number | null;
  sleep_between_requests_seconds: string;
  min_start_interval_seconds: string;
  proxy: string;
  /** A new cookies.txt; "" keeps the stored one. */
  cookies: string;
  options: {
    youtube: {
      subtitle_languages: string;
      sponsorblock_categories: S["SponsorBlockCategory"][];
      auto_captions: boolean;
      remote_components: NonNullable<S["YouTubeOptions"]["remote_components"]>;
      /** Kept as stored (set through the API; see docs/youtube.md). */
      extractor_args: Record<string, string>;
      po_token_provider_url: string;
    };
    spotify: { client_id: string; client_secret: string; api_base_url: string; token_url: string; embed_base_url: string; search_backend: SearchBackend };
    instagram: { base_url: string };
  };
};

/** Server field paths this form shows errors for (see applyServerErrors). */
export const platformFields = [
  "enabled",
  "default_preset",
  "audio_format",
  "max_concurrent",
  "rate_limit_bytes_per_second",
  "sleep_between_requests_seconds",
  "min_start_interval_seconds",
  "proxy",
  "cookies",
  "options.youtube.subtitle_languages",
  "options.youtube.sponsorblock_categories",
  "options.youtube.auto_captions",
  "options.youtube.remote_components",
  "options.youtube.extractor_args",
  "options.youtube.po_token_provider_url",
  "options.spotify.client_id",
  "options.spotify.client_secret",
  "options.spotify.api_base_url",
  "options.spotify.token_url",
  "options.spotify.search_backend",
  "options.spotify.embed_base_url",
  "options.instagram.base_url",
];

export function platformValues(s: S["PlatformSettings"]): PlatformValues {
  const yt = s.options.youtube;
  const sp = s.options.spotify;
  return {
    enabled: s.enabled,
    default_preset: s.default_preset,
    audio_format: s.audio_format,
    max_concurrent: String(s.max_concurrent),
    rate_limit_bytes_per_second: s.rate_limit_bytes_per_second,
    sleep_between_requests_seconds: String(s.sleep_between_requests_seconds),
    min_start_interval_seconds: String(s.min_start_interval_seconds),
    proxy: s.proxy ?? "",
    cookies: "",
    options: {
      youtube: {
        subtitle_languages: (yt?.subtitle_languages ?? []).join(", "),
        sponsorblock_categories: yt?.sponsorblock_categories ?? [],
        auto_captions: yt?.auto_captions ?? false,
        remote_components: yt?.remote_components ?? [],
        extractor_args: yt?.extractor_args ?? {},
        po_token_provider_url: yt?.po_token_provider_url ?? "",
      },
      spotify: {
        client_id: sp?.client_id ?? "",
        client_secret: "",
        api_base_url: sp?.api_base_url ?? "https://api.spotify.com",
        token_url: sp?.token_url ?? "https://accounts.spotify.com/api/token",
        embed_base_url: sp?.embed_base_url ?? "https://open.spotify.com",
        search_backend: sp?.search_backend ?? "auto",
      },
      instagram: { base_url: s.options.instagram?.base_url ?? "https://www.instagram.com" },
    },
  };
}

export const splitList = (text: string) =>
  text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);

function options(platform: S["Platform"], v: PlatformValues["options"]): S["PlatformOptions"] {
  switch (platform) {
    case "youtube":
      return {
        youtube: {
          subtitle_languages: splitList(v.youtube.subtitle_languages),
          sponsorblock_categories: v.youtube.sponsorblock_categories,
          auto_captions: v.youtube.auto_captions,
          remote_components: v.youtube.remote_components,
          extractor_args: v.youtube.extractor_args,
          ...(v.youtube.po_token_provider_url.trim() ? { po_token_provider_url: v.youtube.po_token_provider_url.trim() } : {}),
        },
      };
    case "spotify": {
      const sp: S["SpotifyOptions"] = {
        client_id: v.spotify.client_id.trim() || null,
        api_base_url: v.spotify.api_base_url.trim(),
        token_url: v.spotify.token_url.trim(),
        embed_base_url: v.spotify.embed_base_url.trim(),
        search_backend: v.spotify.search_backend,
      };
      // Write-only: sent only when a new one was typed.
      if (v.spotify.client_secret !== "") sp.client_secret = v.spotify.client_secret;
      return { spotify: sp };
    }
    case "instagram":
      return { instagram: { base_url: v.instagram.base_url.trim() } };
    default:
      return {};
  }
}

/** The PUT body: every non-secret field, and the secrets only when replaced. */
export function toPlatformUpdate(platform: S["Platform"], v: PlatformValues): S["PlatformSettingsUpdate"] {
  const body: S["PlatformSettingsUpdate"] = {
    enabled: v.enabled,
    default_preset: v.default_preset,
    audio_format: v.audio_format,
    max_concurrent: Number(v.max_concurrent),
    rate_limit_bytes_per_second: v.rate_limit_bytes_per_second,
    sleep_between_requests_seconds: Number(v.sleep_between_requests_seconds),
    min_start_interval_seconds: Number(v.min_start_interval_seconds),
    proxy: v.proxy.trim() || null,
    options: options(platform, v.options),
  };
  if (v.cookies.trim() !== "") body.cookies = v.cookies;
  return body;
}

/** The stored settings as a PUT body (secrets left out, so kept), for one-field actions like "remove cookies". */
export const storedUpdate = (s: S["PlatformSettings"]) => toPlatformUpdate(s.platform, platformValues(s));
