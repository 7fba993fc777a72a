import { zodResolver } from "@hookform/resolvers/zod";
import { Loader2Icon } from "lucide-react";
import { Controller, useForm } from "react-hook-form";
import { toast } from "sonner";
import { PlatformIcon } from "@/components/platform-icon";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { FormField } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { Switch } from "@/components/ui/switch";
import { rateUnits, UnitInput } from "@/components/ui/unit-input";
import type { Schemas } from "@/lib/api/client";
import { applyServerErrors, notifyError } from "@/lib/api/errors";
import { formatDateTime } from "@/lib/format";
import { useReportDirty } from "@/lib/unsaved-changes";
import { useUpdatePlatformSettings } from "@/features/settings/api/update-platform-settings";
import { CookiesField } from "@/features/settings/components/cookies-field";
import { SpotifyOptions } from "@/features/settings/components/spotify-options";
import { PlatformHelp } from "@/features/settings/components/platform-help";
import { YoutubeOptions } from "@/features/settings/components/youtube-options";
import { platformFields, type PlatformValues, platformValues, storedUpdate, toPlatformUpdate } from "@/features/settings/utils/platform-form";
import { platformSchema } from "@/features/settings/utils/platform-schema";
import { usePlatforms } from "@/lib/platforms";
import { presetLabel, presets } from "@/lib/presets";

const audioFormats: Schemas["AudioFormat"][] = ["mp3", "m4a", "opus", "flac"];

/** One platform's settings: on/off, defaults, limits, proxy, cookies and its own options. */
export function PlatformCard({ settings, multiNode = false }: { settings: Schemas["PlatformSettings"]; multiNode?: boolean }) {
  const p = settings.platform;
  const info = usePlatforms().find((x) => x.name === p);
  const label = info?.label ?? p;
  const form = useForm<PlatformValues>({
    resolver: zodResolver(platformSchema),
    values: platformValues(settings),
    // A refetch (another card saved, a window refocus) keeps what is being edited here.
    resetOptions: { keepDirtyValues: true },
  });
  const update = useUpdatePlatformSettings();
  const { errors, isSubmitting, isDirty } = form.formState;
  useReportDirty(`settings-${p}`, isDirty);
  const titleId = `${p}-settings-title`;

  const save = form.handleSubmit(async (v) => {
    try {
      const saved = await update.mutateAsync({ platform: p, body: toPlatformUpdate(p, v) });
      form.reset(platformValues(saved), { keepDirtyValues: false }); // useForm's resetOptions would keep the edits
      toast.success(`${label} settings saved`);
    } catch (err) {
      applyServerErrors(err, form.setError, platformFields);
    }
  });

  // One-field actions save the stored settings with that secret cleared, leaving edits in the form alone.
  const clearSecret = async (what: "cookies" | "client_secret") => {
    const body = storedUpdate(settings);
    if (what === "cookies") body.cookies = "";
    else body.options = { spotify: { ...body.options.spotify, client_secret: "" } };
    try {
      await update.mutateAsync({ platform: p, body });
      toast.success(what === "cookies" ? `${label} cookies removed` : "Spotify client secret removed");
    } catch (err) {
      notifyError(err);
    }
  };

  return (
    <Card role="region" aria-labelledby={titleId} data-testid={`platform-card-${p}`}>
      <form onSubmit={save} noValidate>
        <CardHeader className="flex-row flex-wrap items-start justify-between gap-3">
          <div className="grid gap-1">
            <CardTitle id={titleId} className="flex items-center gap-2">
              <PlatformIcon platform={p} decorative className="size-5" /> {label}
            </CardTitle>
            <CardDescription>
              {info?.description}
              {p === "generic" && " (the same switch as “Other sites” in General)."}{" "}
              {settings.updated_at ? `Changed ${formatDateTime(settings.updated_at)}.` : "Default settings."}
            </CardDescription>
          </div>
          <Controller
            control={form.control}
            name="enabled"
            render={({ field }) => (
              <div className="flex items-center gap-2">
                <Switch id={`${p}-enabled`} checked={field.value} onCheckedChange={field.onChange} />
                <Label htmlFor={`${p}-enabled`}>Enabled</Label>
              </div>
            )}
          />
        </CardHeader>
        <CardContent className="grid grid-cols-1 gap-6">
          <PlatformHelp platform={p} />
          <div className="grid grid-cols-1 gap-4 sm:grid-cols-2 lg:grid-cols-3">
            <FormField id={`${p}-preset`} label="Default quality" hint={p === "spotify" ? "Spotify downloads are always audio." : "When a download doesn't choose."} error={errors.default_preset?.message}>
              {(a) => (
                <Controller
                  control={form.control}
                  name="default_preset"
                  render={({ field }) => (
                    <Select value={field.value} onValueChange={field.onChange} disabled={p === "spotify"}>
                      <SelectTrigger ref={field.ref} {...a}>
                        <SelectValue />
                      </SelectTrigger>
                      <SelectContent>
                        {presets.map((x) => (
                          <SelectItem key={x} value={x}>
                            {presetLabel(x)}
                          </SelectItem>
                        ))}
                      </SelectContent>
                    </Select>
                  )}
                />
              )}
            </FormField>
            <FormField id={`${p}-audio`} label="Default audio format" hint="For audio-only downloads." error={errors.audio_format?.message}>
              {(a) => (
                <Controller
                  control={form.control}
                  name="audio_format"
                  render={({ field }) => (
                    <Select value={field.value} onValueChange={field.onChange}>
                      <SelectTrigger ref={field.ref} {...a}>
                        <SelectValue />
                      </SelectTrigger>
                      <SelectContent>
                        {audioFormats.map((x) => (
                          <SelectItem key={x} value={x}>
                            {x}
                          </SelectItem>
                        ))}
                      </SelectContent>
                    </Select>
                  )}
                />
              )}
            </FormField>
            <FormField id={`${p}-max`} label="Max concurrent downloads" hint={multiNode ? "Per node, 1–32; applies at once." : "1–32; applies at once."} error={errors.max_concurrent?.message}>
              {(a) => <Input type="number" inputMode="numeric" min={1} max={32} {...a} {...form.register("max_concurrent")} />}
            </FormField>
            <FormField id={`${p}-rate`} label="Speed limit per download" hint="Empty for no limit." error={errors.rate_limit_bytes_per_second?.message}>
              {(a) => (
                <Controller
                  control={form.control}
                  name="rate_limit_bytes_per_second"
                  render={({ field }) => (
                    <UnitInput {...a} value={field.value} onChange={field.onChange} units={rateUnits} placeholder="No limit" unitLabel={`Unit of the ${label} speed limit`} />
                  )}
                />
              )}
            </FormField>
            <FormField id={`${p}-sleep`} label="Pause between requests" hint="Seconds (0–60) between requests to the site; helps against rate limits." error={errors.sleep_between_requests_seconds?.message}>
              {(a) => <Input type="number" inputMode="decimal" min={0} max={60} step={0.5} {...a} {...form.register("sleep_between_requests_seconds")} />}
            </FormField>
            <FormField
              id={`${p}-start-interval`}
              label="Pause between job starts"
              hint="Seconds (0–3600) between two downloads of this platform starting; spreads a long playlist or channel out (YouTube allows a guest IP roughly 300 videos an hour)."
              error={errors.min_start_interval_seconds?.message}
            >
              {(a) => <Input type="number" inputMode="decimal" min={0} max={3600} step={1} {...a} {...form.register("min_start_interval_seconds")} />}
            </FormField>
            <FormField
              id={`${p}-proxy`}
              label="Proxy"
              hint="http://, https:// or socks5:// URL; empty for none. A password shown as ******** stays as stored."
              error={errors.proxy?.message}
            >
              {(a) => <Input type="url" inputMode="url" autoComplete="off" spellCheck={false} placeholder="socks5://proxy.lan:1080" {...a} {...form.register("proxy")} />}
            </FormField>
          </div>

          {p === "youtube" && <YoutubeOptions control={form.control} register={form.register} errors={errors} />}
          {p === "instagram" && (
            <FormField
              id="instagram-base-url"
              label="Instagram address"
              hint="Where post data is read (https://www.instagram.com); cookies for instagram.com go to it."
              error={errors.options?.instagram?.base_url?.message}
            >
              {(a) => <Input type="url" inputMode="url" spellCheck={false} {...a} {...form.register("options.instagram.base_url")} />}
            </FormField>
          )}
          {p === "spotify" && (
            <SpotifyOptions
              control={form.control}
              register={form.register}
              errors={errors}
              getValues={form.getValues}
              setError={form.setError}
              secretSet={settings.options.spotify?.client_secret_set ?? false}
              clientIdSet={!!settings.options.spotify?.client_id}
              onRemoveSecret={() => clearSecret("client_secret")}
            />
          )}

          {/* Spotify downloads come from YouTube Music/YouTube: cookies for Spotify do nothing. */}
          {p !== "spotify" && (
            <Controller
              control={form.control}
              name="cookies"
              render={({ field }) => (
                <CookiesField
                  idPrefix={p}
                  settings={settings}
                  value={field.value}
                  onChange={(t) => field.onChange(t)}
                  inputRef={field.ref}
                  error={errors.cookies?.message}
                  onRemove={() => clearSecret("cookies")}
                  removing={update.isPending}
                />
              )}
            />
          )}

          <div className="flex flex-wrap justify-end gap-2 border-t pt-4">
            <Button variant="outline" onClick={() => form.reset(platformValues(settings), { keepDirtyValues: false })} disabled={!isDirty || isSubmitting}>
              Discard changes
            </Button>
            <Button type="submit" disabled={isSubmitting || !isDirty}>
              {isSubmitting && <Loader2Icon className="animate-spin" aria-hidden />}
              Save {label}
            </Button>
          </div>
        </CardContent>
      </form>
    </Card>
  );
}
