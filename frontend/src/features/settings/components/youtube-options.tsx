import { Controller, type Control, type FieldErrors, type UseFormRegister } from "react-hook-form";
import { Checkbox } from "@/components/ui/checkbox";
import { FormField } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Switch } from "@/components/ui/switch";
import type { Schemas } from "@/lib/api/client";
import type { PlatformValues } from "@/features/settings/utils/platform-form";

const categories: Schemas["SponsorBlockCategory"][] = ["sponsor", "intro", "outro", "selfpromo", "preview", "filler", "interaction", "music_offtopic", "hook"];

/** Defaults for new YouTube downloads that don't choose otherwise. */
export function YoutubeOptions({
  control,
  register,
  errors,
}: {
  control: Control<PlatformValues>;
  register: UseFormRegister<PlatformValues>;
  errors: FieldErrors<PlatformValues>;
}) {
  const e = errors.options?.youtube;
  return (
    <fieldset className="min-w-0 grid grid-cols-1 gap-4 sm:grid-cols-2">
      <legend className="mb-2 text-sm font-medium">YouTube defaults</legend>
      <FormField id="youtube-subs" label="Subtitle languages" hint="Fetched by default: codes such as en, de, pt-BR, or all. Empty for none." error={e?.subtitle_languages?.message}>
        {(a) => <Input placeholder="en, de" autoComplete="off" {...a} {...register("options.youtube.subtitle_languages")} />}
      </FormField>
      <Controller
        control={control}
        name="options.youtube.auto_captions"
        render={({ field }) => (
          <div className="flex items-start gap-2 sm:pt-6">
            <Switch id="youtube-auto-captions" checked={field.value} onCheckedChange={field.onChange} aria-describedby="youtube-auto-captions-hint" />
            <div className="grid gap-0.5">
              <Label htmlFor="youtube-auto-captions">Automatic captions</Label>
              <p id="youtube-auto-captions-hint" className="text-xs text-muted-foreground">
                Use YouTube's generated captions when a video has no subtitles in a chosen language.
              </p>
            </div>
          </div>
        )}
      />
      <Controller
        control={control}
        name="options.youtube.sponsorblock_categories"
        render={({ field }) => (
          <fieldset className="min-w-0 grid gap-2 sm:col-span-2">
            <legend className="mb-1 text-sm font-medium">SponsorBlock: cut these segments by default</legend>
            <div className="flex flex-wrap gap-x-4 gap-y-2">
              {categories.map((c) => (
                <div key={c} className="flex items-center gap-2">
                  <Checkbox
                    id={`youtube-sb-${c}`}
                    checked={field.value.includes(c)}
                    onCheckedChange={(on) => field.onChange(on === true ? [...field.value, c] : field.value.filter((x) => x !== c))}
                  />
                  <Label htmlFor={`youtube-sb-${c}`} className="font-normal">
                    {c.replace("_", " ")}
                  </Label>
                </div>
              ))}
            </div>
            {e?.sponsorblock_categories?.message && (
              <p role="alert" className="text-xs font-medium text-destructive">
                {e.sponsorblock_categories.message}
              </p>
            )}
          </fieldset>
        )}
      />
      <FormField
        id="youtube-pot-provider"
        label="PO-token provider"
        hint="Base URL of a bgutil-ytdlp-pot-provider sidecar (e.g. http://bgutil:4416); needs its plugin in DOWNLINK_YTDLP_PLUGIN_DIR. Only for servers YouTube blocks; see docs/youtube.md. Empty for none."
        error={e?.po_token_provider_url?.message}
      >
        {(a) => <Input placeholder="http://bgutil:4416" autoComplete="off" {...a} {...register("options.youtube.po_token_provider_url")} />}
      </FormField>
      <Controller
        control={control}
        name="options.youtube.remote_components"
        render={({ field }) => (
          <fieldset className="min-w-0 grid gap-2 sm:col-span-2">
            <legend className="mb-1 text-sm font-medium">Challenge solver scripts from outside (remote components)</legend>
            <p className="text-xs text-muted-foreground">
              Lets yt-dlp download its YouTube challenge solver scripts when the installed ones are missing or too old. That is code
              fetched at download time and run by the JavaScript runtime: leave off unless the System page says the solver is missing
              its scripts.
            </p>
            <div className="flex flex-wrap gap-x-4 gap-y-2">
              {(["ejs:github", "ejs:npm"] as const).map((c) => (
                <div key={c} className="flex items-center gap-2">
                  <Checkbox
                    id={`youtube-rc-${c}`}
                    checked={field.value.includes(c)}
                    onCheckedChange={(on) => field.onChange(on === true ? [...field.value, c] : field.value.filter((x) => x !== c))}
                  />
                  <Label htmlFor={`youtube-rc-${c}`} className="font-normal">
                    {c === "ejs:github" ? "From yt-dlp-ejs on GitHub (recommended)" : "From npm"}
                  </Label>
                </div>
              ))}
            </div>
          </fieldset>
        )}
      />
    </fieldset>
  );
}
