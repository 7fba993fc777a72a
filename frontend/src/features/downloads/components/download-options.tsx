import { Controller, type Control, type FieldErrors, type UseFormRegister, useWatch } from "react-hook-form";
import { Checkbox } from "@/components/ui/checkbox";
import { FormField } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { Switch } from "@/components/ui/switch";
import type { Schemas } from "@/lib/api/client";
import type { Platform as DetectedPlatform } from "@/lib/platforms";
import { presetHint, presetLabel, presets } from "@/lib/presets";

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

type Props = {
  control: Control<NewDownloadValues>;
  register: UseFormRegister<NewDownloadValues>;
  errors: FieldErrors<NewDownloadValues>;
  platform: DetectedPlatform | null;
};

function CheckField({ id, label, checked, onChange }: { id: string; label: string; checked: boolean; onChange: (v: boolean) => void }) {
  return (
    <div className="flex items-center gap-2">
      <Checkbox id={id} checked={checked} onCheckedChange={(v) => onChange(v === true)} />
      <Label htmlFor={id} className="font-normal">
        {label}
      </Label>
    </div>
  );
}

/** The "Options" part of the new-download form. */
export function DownloadOptions({ control: c, register, errors, platform }: Props) {
  const isSpotify = platform === "spotify";
  // Only what applies: audio settings for audio, subtitles for video.
  const audio = useWatch({ control: c, name: "preset" }) === "audio" || isSpotify;
  return (
    // items-start: a field with a hint or an error does not stretch its neighbours' rows.
    <div className="grid items-start gap-4 sm:grid-cols-2 lg:grid-cols-3">
      <FormField id="opt-preset" label="Quality" error={errors.preset?.message}>
        {(a) => (
          <Controller
            control={c}
            name="preset"
            render={({ field }) => (
              <>
                <Select value={field.value} onValueChange={field.onChange} disabled={isSpotify}>
                  <SelectTrigger {...a}>
                    <SelectValue />
                  </SelectTrigger>
                  <SelectContent>
                    <SelectItem value="default">Platform default</SelectItem>
                    {presets.map((p) => (
                      <SelectItem key={p} value={p}>
                        {presetLabel(p)}
                      </SelectItem>
                    ))}
                  </SelectContent>
                </Select>
                <p className="text-xs text-muted-foreground">{presetHint(field.value)}</p>
              </>
            )}
          />
        )}
      </FormField>
      {audio && (
        <FormField id="opt-audio-format" label="Audio format" error={errors.audio_format?.message}>
          {(a) => (
            <Controller
              control={c}
              name="audio_format"
              render={({ field }) => (
                <Select value={field.value} onValueChange={field.onChange}>
                  <SelectTrigger {...a}>
                    <SelectValue />
                  </SelectTrigger>
                  <SelectContent>
                    <SelectItem value="default">Platform default</SelectItem>
                    {audioFormats.map((f) => (
                      <SelectItem key={f} value={f}>
                        {f}
                      </SelectItem>
                    ))}
                  </SelectContent>
                </Select>
              )}
            />
          )}
        </FormField>
      )}
      {audio && (
        <FormField id="opt-audio-quality" label="Audio quality" error={errors.audio_quality?.message}>
          {(a) => (
            <Controller
              control={c}
              name="audio_quality"
              render={({ field }) => (
                <Select value={field.value} onValueChange={field.onChange}>
                  <SelectTrigger {...a}>
                    <SelectValue />
                  </SelectTrigger>
                  <SelectContent>
                    <SelectItem value="best">Best (VBR)</SelectItem>
                    {["320", "256", "192", "128", "96"].map((q) => (
                      <SelectItem key={q} value={q}>
                        {q} kbit/s
                      </SelectItem>
                    ))}
                  </SelectContent>
                </Select>
              )}
            />
          )}
        </FormField>
      )}
      {!audio && (
        <FormField id="opt-subs" label="Subtitle languages" hint="Codes such as en, de, pt-BR, or all." error={errors.subtitle_languages?.message}>
          {(a) => <Input placeholder="en, de" autoComplete="off" {...a} {...register("subtitle_languages")} />}
        </FormField>
      )}
      {!audio && (
        <fieldset className="grid content-start gap-2">
          <legend className="mb-1.5 text-sm font-medium">Subtitles</legend>
          <Controller
            control={c}
            name="subtitles_embed"
            render={({ field }) => (
              <div className="flex items-center gap-2">
                <Switch id="opt-subs-embed" checked={field.value} onCheckedChange={field.onChange} />
                <Label htmlFor="opt-subs-embed" className="font-normal">
                  Embed in the video
                </Label>
              </div>
            )}
          />
          <Controller
            control={c}
            name="subtitles_auto"
            render={({ field }) => (
              <div className="flex items-center gap-2">
                <Switch id="opt-subs-auto" checked={field.value} onCheckedChange={field.onChange} />
                <Label htmlFor="opt-subs-auto" className="font-normal">
                  Use automatic captions
                </Label>
              </div>
            )}
          />
        </fieldset>
      )}
      <fieldset className="grid content-start gap-2">
        <legend className="mb-1.5 text-sm font-medium">Embed</legend>
        {(["embed_thumbnail", "embed_metadata", "embed_chapters"] as const).map((name) => (
          <Controller
            key={name}
            control={c}
            name={name}
            render={({ field }) => (
              <CheckField
                id={`opt-${name}`}
                label={name === "embed_thumbnail" ? "Thumbnail / cover art" : name === "embed_metadata" ? "Metadata tags" : "Chapters"}
                checked={field.value}
                onChange={field.onChange}
              />
            )}
          />
        ))}
      </fieldset>
      <FormField id="opt-items" label="Playlist items" hint="For playlists: e.g. 1-3,7,10-" error={errors.playlist_items?.message}>
        {(a) => <Input placeholder="all" autoComplete="off" {...a} {...register("playlist_items")} />}
      </FormField>
      {platform === "youtube" && (
        <fieldset className="grid gap-2 sm:col-span-2 lg:col-span-3">
          <legend className="mb-1.5 text-sm font-medium">SponsorBlock: cut these segments</legend>
          <Controller
            control={c}
            name="sponsorblock_remove"
            render={({ field }) => (
              <div className="flex flex-wrap gap-x-4 gap-y-2">
                {sponsorCategories.map((cat) => (
                  <CheckField
                    key={cat}
                    id={`opt-sb-${cat}`}
                    label={cat.replace("_", " ")}
                    checked={field.value.includes(cat)}
                    onChange={(on) => field.onChange(on ? [...field.value, cat] : field.value.filter((x) => x !== cat))}
                  />
                ))}
              </div>
            )}
          />
          {errors.sponsorblock_remove?.message && (
            <p role="alert" className="text-xs font-medium text-destructive">
              {errors.sponsorblock_remove.message}
            </p>
          )}
        </fieldset>
      )}
    </div>
  );
}
