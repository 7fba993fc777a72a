import { Controller, type Control, type FieldErrors, type UseFormRegister } from "react-hook-form";
import { Checkbox } from "@/components/ui/checkbox";
import { FormField } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { Switch } from "@/components/ui/switch";
import type { Schemas } from "@/lib/api/client";
import type { DetectedPlatform } from "@/features/downloads/utils/detect-platform";

export const presets: Schemas["Preset"][] = ["best", "2160p", "1440p", "1080p", "720p", "480p", "360p", "audio"];
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
  if (v.audio_format !== "default") options.audio_format = v.audio_format;
  if (v.audio_quality !== "best") options.audio_quality = Number(v.audio_quality);
  const langs = v.subtitle_languages
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
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
  return (
    <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
      <FormField id="opt-preset" label="Quality" error={errors.preset?.message}>
        {(a) => (
          <Controller
            control={c}
            name="preset"
            render={({ field }) => (
              <Select value={field.value} onValueChange={field.onChange} disabled={isSpotify}>
                <SelectTrigger {...a}>
                  <SelectValue />
                </SelectTrigger>
                <SelectContent>
                  <SelectItem value="default">Platform default</SelectItem>
                  {presets.map((p) => (
                    <SelectItem key={p} value={p}>
                      {p === "best" ? "Best available" : p === "audio" ? "Audio only" : `Up to ${p}`}
                    </SelectItem>
                  ))}
                </SelectContent>
              </Select>
            )}
          />
        )}
      </FormField>
      <FormField id="opt-audio-format" label="Audio format" hint="Used for audio-only downloads." error={errors.audio_format?.message}>
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
      {!isSpotify && (
        <FormField id="opt-subs" label="Subtitle languages" hint="Codes such as en, de, pt-BR, or all." error={errors.subtitle_languages?.message}>
          {(a) => <Input placeholder="en, de" autoComplete="off" {...a} {...register("subtitle_languages")} />}
        </FormField>
      )}
      {!isSpotify && (
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
