import { Controller, type Control, type FieldErrors, type UseFormRegister, useWatch } from "react-hook-form";
import { Checkbox } from "@/components/ui/checkbox";
import { FormField } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { Switch } from "@/components/ui/switch";
import type { Platform as DetectedPlatform } from "@/lib/platforms";
import { presetHint, presetLabel, presets } from "@/lib/presets";
import { audioFormats, type NewDownloadValues, sponsorCategories } from "@/features/downloads/components/download-options";

/*
 * The fields of the new-download form's "Options" panel, a chunk of their
 * own (selects, switches, checkboxes): the panel is closed on most visits,
 * and download-options.tsx keeps the values and request mapping the form
 * needs at once.
 */

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
