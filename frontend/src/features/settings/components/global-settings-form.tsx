import { zodResolver } from "@hookform/resolvers/zod";
import { Loader2Icon } from "lucide-react";
import type * as React from "react";
import { Controller, useForm } from "react-hook-form";
import { toast } from "sonner";
import { z } from "zod";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { FormField } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Skeleton } from "@/components/ui/skeleton";
import { Switch } from "@/components/ui/switch";
import { byteUnits, durationUnits, UnitInput } from "@/components/ui/unit-input";
import type { Schemas } from "@/lib/api/client";
import { applyServerErrors } from "@/lib/api/errors";
import { useReportDirty } from "@/lib/unsaved-changes";
import { useSettings } from "@/features/settings/api/get-settings";
import { useUpdateSettings } from "@/features/settings/api/update-settings";
import { LibraryRelayout } from "@/features/settings/components/library-relayout";

const int = (min: number, max: number) =>
  z
    .string()
    .trim()
    .refine((v) => /^\d+$/.test(v) && Number(v) >= min && Number(v) <= max, `A whole number from ${min} to ${max}`);
const optInt = (min: number, max: number, empty: string) =>
  z
    .string()
    .trim()
    .refine((v) => v === "" || (/^\d+$/.test(v) && Number(v) >= min && Number(v) <= max), `A whole number from ${min} to ${max}, or empty for ${empty}`);
const bytes = z.number({ error: "Enter a size" }).min(0, "Not negative");
const seconds = z
  .number({ error: "Enter a duration" })
  .min(300, "At least 5 minutes")
  .max(31_536_000, "At most a year");

const schema = z
  .object({
    default_concurrency: int(0, 64),
    min_free_disk_bytes: bytes,
    default_storage_quota_bytes: bytes.nullable(),
    retention_days: optInt(1, 36500, "no retention"),
    generic_sites_enabled: z.boolean(),
    allow_private_networks: z.boolean(),
    log_retention_days: int(1, 3650),
    session_idle_timeout_seconds: seconds,
    session_absolute_timeout_seconds: seconds,
    api_key_default_expiry_days: optInt(1, 3650, "never"),
    api_key_max_expiry_days: optInt(1, 3650, "no limit"),
    // limits: empty sizes and durations mean no limit (0 on the wire)
    max_download_seconds: z.number().min(0, "Not negative").max(2_592_000, "At most 30 days").nullable(),
    max_download_bytes: bytes.nullable(),
    live_streams_allowed: z.boolean(),
    max_running_downloads_per_user: int(0, 1000),
    max_probes_per_user: int(1, 64),
    max_concurrent_probes: int(1, 64),
    // library layout
    media_server_layout: z.boolean(),
    video_template: z.string().max(300, "At most 300 characters"),
    music_template: z.string().max(300, "At most 300 characters"),
  })
  .refine((v) => v.session_idle_timeout_seconds <= v.session_absolute_timeout_seconds, {
    path: ["session_idle_timeout_seconds"],
    message: "At most the absolute timeout",
  })
  .refine((v) => v.api_key_default_expiry_days === "" || v.api_key_max_expiry_days === "" || Number(v.api_key_default_expiry_days) <= Number(v.api_key_max_expiry_days), {
    path: ["api_key_default_expiry_days"],
    message: "At most the maximum expiry",
  })
  .refine((v) => v.api_key_max_expiry_days === "" || v.api_key_default_expiry_days !== "", {
    path: ["api_key_default_expiry_days"],
    message: "With a maximum, new keys need a default expiry too",
  });
type Values = z.infer<typeof schema>;
type G = Schemas["GlobalSettings"];

const str = (n: number | null) => (n == null ? "" : String(n));
const num = (s: string) => (s.trim() === "" ? null : Number(s));

const defaultLimits: NonNullable<G["limits"]> = {
  max_download_seconds: 21600,
  max_download_bytes: 20 * 1024 ** 3,
  live_streams_allowed: false,
  max_running_downloads_per_user: 4,
  max_probes_per_user: 2,
  max_concurrent_probes: 4,
};
const noneIfZero = (n: number) => (n === 0 ? null : n);

const toValues = (g: G): Values => ({
  default_concurrency: String(g.default_concurrency),
  min_free_disk_bytes: g.min_free_disk_bytes,
  default_storage_quota_bytes: g.default_storage_quota_bytes,
  retention_days: str(g.retention_days),
  generic_sites_enabled: g.generic_sites_enabled,
  allow_private_networks: g.allow_private_networks,
  log_retention_days: String(g.log_retention_days),
  session_idle_timeout_seconds: g.session_idle_timeout_seconds,
  session_absolute_timeout_seconds: g.session_absolute_timeout_seconds,
  api_key_default_expiry_days: str(g.api_key_default_expiry_days),
  api_key_max_expiry_days: str(g.api_key_max_expiry_days),
  max_download_seconds: noneIfZero((g.limits ?? defaultLimits).max_download_seconds),
  max_download_bytes: noneIfZero((g.limits ?? defaultLimits).max_download_bytes),
  live_streams_allowed: (g.limits ?? defaultLimits).live_streams_allowed,
  max_running_downloads_per_user: String((g.limits ?? defaultLimits).max_running_downloads_per_user),
  max_probes_per_user: String((g.limits ?? defaultLimits).max_probes_per_user),
  max_concurrent_probes: String((g.limits ?? defaultLimits).max_concurrent_probes),
  media_server_layout: g.library?.layout === "media_server",
  video_template: g.library?.video_template ?? "",
  music_template: g.library?.music_template ?? "",
});

const toSettings = (v: Values): G => ({
  default_concurrency: Number(v.default_concurrency),
  min_free_disk_bytes: v.min_free_disk_bytes,
  default_storage_quota_bytes: v.default_storage_quota_bytes,
  retention_days: num(v.retention_days),
  generic_sites_enabled: v.generic_sites_enabled,
  allow_private_networks: v.allow_private_networks,
  log_retention_days: Number(v.log_retention_days),
  session_idle_timeout_seconds: v.session_idle_timeout_seconds,
  session_absolute_timeout_seconds: v.session_absolute_timeout_seconds,
  api_key_default_expiry_days: num(v.api_key_default_expiry_days),
  api_key_max_expiry_days: num(v.api_key_max_expiry_days),
  limits: {
    max_download_seconds: v.max_download_seconds ?? 0,
    max_download_bytes: v.max_download_bytes ?? 0,
    live_streams_allowed: v.live_streams_allowed,
    max_running_downloads_per_user: Number(v.max_running_downloads_per_user),
    max_probes_per_user: Number(v.max_probes_per_user),
    max_concurrent_probes: Number(v.max_concurrent_probes),
  },
  library: {
    layout: v.media_server_layout ? "media_server" : "default",
    video_template: v.video_template.trim(),
    music_template: v.music_template.trim(),
  },
});

const fields = [
  "default_concurrency",
  "min_free_disk_bytes",
  "default_storage_quota_bytes",
  "retention_days",
  "generic_sites_enabled",
  "allow_private_networks",
  "log_retention_days",
  "session_idle_timeout_seconds",
  "session_absolute_timeout_seconds",
  "api_key_default_expiry_days",
  "api_key_max_expiry_days",
];

function Section({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <fieldset className="min-w-0 grid grid-cols-1 items-start gap-4 sm:grid-cols-2">
      <legend className="mb-3 w-full border-b pb-1.5 text-sm font-semibold">{title}</legend>
      {children}
    </fieldset>
  );
}

function SwitchField({ id, label, hint, checked, onChange }: { id: string; label: string; hint: string; checked: boolean; onChange: (v: boolean) => void }) {
  return (
    <div className="flex items-start gap-3">
      <Switch id={id} checked={checked} onCheckedChange={onChange} aria-describedby={`${id}-hint`} className="mt-0.5" />
      <div className="grid gap-0.5">
        <Label htmlFor={id}>{label}</Label>
        <p id={`${id}-hint`} className="text-xs text-muted-foreground">
          {hint}
        </p>
      </div>
    </div>
  );
}

/**
 * Every global setting, with its unit and what it does; saved as a whole.
 * `multiNode`: more than one node reports in, so "per node" means something.
 */
export function GlobalSettingsForm({ multiNode = false }: { multiNode?: boolean }) {
  const { data, isPending } = useSettings();
  const update = useUpdateSettings();
  const form = useForm<Values>({ resolver: zodResolver(schema), values: data ? toValues(data) : undefined, resetOptions: { keepDirtyValues: true } });
  const { errors, isSubmitting, isDirty } = form.formState;
  useReportDirty("settings-general", isDirty);
  const c = form.control;

  const save = form.handleSubmit(async (v) => {
    try {
      const saved = await update.mutateAsync(toSettings(v));
      form.reset(toValues(saved), { keepDirtyValues: false }); // useForm's resetOptions would keep the edits
      toast.success("Settings saved", { description: multiNode ? "They apply on every node at once." : "They apply at once." });
    } catch (err) {
      applyServerErrors(err, form.setError, fields, {
        aliases: { "library.video_template": "video_template", "library.music_template": "music_template", "library.layout": "media_server_layout" },
      });
    }
  });

  if (isPending || !data) {
    return (
      <div role="status" aria-busy="true" aria-label="Loading settings">
        <Skeleton className="h-[40rem]" />
      </div>
    );
  }

  return (
    <Card>
      <CardHeader>
        <CardTitle>General</CardTitle>
        <CardDescription>Settings for the whole installation. {multiNode ? "They apply on every node without a restart." : "They apply without a restart."}</CardDescription>
      </CardHeader>
      <CardContent>
        <form onSubmit={save} noValidate className="grid gap-8" aria-label="General settings">
          <Section title="Downloads">
            <FormField id="g-concurrency" label={multiNode ? "Downloads at once per node" : "Downloads at once"}
              hint={multiNode ? "For nodes without their own DOWNLINK_WORKERS; 0 pauses them." : "Unless DOWNLINK_WORKERS sets it; 0 pauses downloads."} error={errors.default_concurrency?.message}>
              {(a) => <Input type="number" inputMode="numeric" min={0} max={64} {...a} {...form.register("default_concurrency")} />}
            </FormField>
            <div className="grid content-start gap-4">
              <Controller
                control={c}
                name="generic_sites_enabled"
                render={({ field }) => (
                  <SwitchField id="g-generic" label="Other sites" hint="Allow sites besides YouTube, Spotify and Instagram (any site yt-dlp supports)." checked={field.value} onChange={field.onChange} />
                )}
              />
              <Controller
                control={c}
                name="allow_private_networks"
                render={({ field }) => (
                  <SwitchField
                    id="g-private"
                    label="Private networks"
                    hint="Allow links to loopback and LAN addresses (home labs). Off protects the network Downlink runs in."
                    checked={field.value}
                    onChange={field.onChange}
                  />
                )}
              />
            </div>
          </Section>

          <Section title="Storage">
            <FormField id="g-min-free" label="Keep free on disk" hint="Below this, new downloads are refused (507)." error={errors.min_free_disk_bytes?.message}>
              {(a) => (
                <Controller control={c} name="min_free_disk_bytes" render={({ field }) => <UnitInput {...a} value={field.value} onChange={(v) => field.onChange(v ?? NaN)} units={byteUnits} unitLabel="Unit of the disk reserve" />} />
              )}
            </FormField>
            <FormField id="g-quota" label="Default storage quota" hint="For users without their own quota; empty for none." error={errors.default_storage_quota_bytes?.message}>
              {(a) => (
                <Controller
                  control={c}
                  name="default_storage_quota_bytes"
                  render={({ field }) => <UnitInput {...a} value={field.value} onChange={field.onChange} units={byteUnits} placeholder="No quota" unitLabel="Unit of the default quota" />}
                />
              )}
            </FormField>
            <FormField id="g-retention" label="Retention (days)" hint="Unpinned files older than this are removed; empty keeps files until deleted." error={errors.retention_days?.message}>
              {(a) => <Input type="number" inputMode="numeric" min={1} placeholder="Keep forever" {...a} {...form.register("retention_days")} />}
            </FormField>
            <FormField id="g-log-retention" label="Log retention (days)" hint="Log and audit records older than this are deleted." error={errors.log_retention_days?.message}>
              {(a) => <Input type="number" inputMode="numeric" min={1} max={3650} {...a} {...form.register("log_retention_days")} />}
            </FormField>
            <Controller
              control={c}
              name="media_server_layout"
              render={({ field }) => (
                <SwitchField
                  id="g-media-layout"
                  label="Media-server library layout"
                  hint="File new downloads by channel and date with Kodi/Jellyfin .nfo files and thumbnails (music by artist and album). Existing files move with Move existing files below."
                  checked={field.value}
                  onChange={field.onChange}
                />
              )}
            />
            {form.watch("media_server_layout") && (
              <>
                <FormField id="g-video-template" label="Video path" hint="Empty: {channel}/Season {year}/{date} {title} [{id}]" error={errors.video_template?.message}>
                  {(a) => <Input spellCheck={false} placeholder="{channel}/Season {year}/{date} {title} [{id}]" {...a} {...form.register("video_template")} />}
                </FormField>
                <FormField id="g-music-template" label="Music path" hint="Empty: {artist}/{album}/{track_number} {title}" error={errors.music_template?.message}>
                  {(a) => <Input spellCheck={false} placeholder="{artist}/{album}/{track_number} {title}" {...a} {...form.register("music_template")} />}
                </FormField>
              </>
            )}
            <LibraryRelayout dirty={isDirty} />
          </Section>

          <Section title="Limits">
            <FormField id="g-max-duration" label="Longest download" hint="A download running longer is stopped (too_long); empty for no limit. Platforms may override it." error={errors.max_download_seconds?.message}>
              {(a) => (
                <Controller
                  control={c}
                  name="max_download_seconds"
                  render={({ field }) => <UnitInput {...a} value={field.value} onChange={field.onChange} units={durationUnits} placeholder="No limit" unitLabel="Unit of the longest download" />}
                />
              )}
            </FormField>
            <FormField id="g-max-size" label="Largest download" hint="A download growing past this is stopped (too_large); empty for no limit. Platforms may override it." error={errors.max_download_bytes?.message}>
              {(a) => (
                <Controller
                  control={c}
                  name="max_download_bytes"
                  render={({ field }) => <UnitInput {...a} value={field.value} onChange={field.onChange} units={byteUnits} placeholder="No limit" unitLabel="Unit of the largest download" />}
                />
              )}
            </FormField>
            <FormField id="g-max-running" label="Downloads at once per user" hint={`One user's downloads running at once${multiNode ? ", across nodes" : ""}; the rest wait. 0 for no cap.`} error={errors.max_running_downloads_per_user?.message}>
              {(a) => <Input type="number" inputMode="numeric" min={0} max={1000} {...a} {...form.register("max_running_downloads_per_user")} />}
            </FormField>
            <FormField id="g-max-probes-user" label="Probes at once per user" hint="More get “too many requests” until one finishes." error={errors.max_probes_per_user?.message}>
              {(a) => <Input type="number" inputMode="numeric" min={1} max={64} {...a} {...form.register("max_probes_per_user")} />}
            </FormField>
            <FormField id="g-max-probes" label={multiNode ? "Probes at once per node" : "Probes at once"}
              hint={multiNode ? "Everyone's probes together on one node." : "Everyone's link previews together."} error={errors.max_concurrent_probes?.message}>
              {(a) => <Input type="number" inputMode="numeric" min={1} max={64} {...a} {...form.register("max_concurrent_probes")} />}
            </FormField>
            <Controller
              control={c}
              name="live_streams_allowed"
              render={({ field }) => (
                <SwitchField id="g-live" label="Live streams" hint="Allow downloading live streams (they run until the longest-download limit). Off, they are refused." checked={field.value} onChange={field.onChange} />
              )}
            />
          </Section>

          <Section title="Sessions and API keys">
            <FormField id="g-idle" label="Sign out after inactivity" hint="A session unused this long ends (at most the absolute timeout)." error={errors.session_idle_timeout_seconds?.message}>
              {(a) => (
                <Controller
                  control={c}
                  name="session_idle_timeout_seconds"
                  render={({ field }) => <UnitInput {...a} value={field.value} onChange={(v) => field.onChange(v ?? NaN)} units={durationUnits} unitLabel="Unit of the idle timeout" />}
                />
              )}
            </FormField>
            <FormField id="g-absolute" label="Sign out after" hint="A session ends this long after sign-in, however active." error={errors.session_absolute_timeout_seconds?.message}>
              {(a) => (
                <Controller
                  control={c}
                  name="session_absolute_timeout_seconds"
                  render={({ field }) => <UnitInput {...a} value={field.value} onChange={(v) => field.onChange(v ?? NaN)} units={durationUnits} unitLabel="Unit of the absolute timeout" />}
                />
              )}
            </FormField>
            <FormField id="g-key-default" label="Default key expiry (days)" hint="For new keys created without an expiry; empty: they never expire." error={errors.api_key_default_expiry_days?.message}>
              {(a) => <Input type="number" inputMode="numeric" min={1} max={3650} placeholder="Never" {...a} {...form.register("api_key_default_expiry_days")} />}
            </FormField>
            <FormField id="g-key-max" label="Longest key expiry (days)" hint="No key may live longer; empty for no limit." error={errors.api_key_max_expiry_days?.message}>
              {(a) => <Input type="number" inputMode="numeric" min={1} max={3650} placeholder="No limit" {...a} {...form.register("api_key_max_expiry_days")} />}
            </FormField>
          </Section>

          <div className="flex flex-wrap justify-end gap-2 border-t pt-4">
            <Button variant="outline" onClick={() => form.reset(toValues(data))} disabled={!isDirty || isSubmitting}>
              Discard changes
            </Button>
            <Button type="submit" disabled={isSubmitting || !isDirty}>
              {isSubmitting && <Loader2Icon className="animate-spin" aria-hidden />}
              Save settings
            </Button>
          </div>
        </form>
      </CardContent>
    </Card>
  );
}
