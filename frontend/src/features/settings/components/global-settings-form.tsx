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
import { useSettings } from "@/features/settings/api/get-settings";
import { useUpdateSettings } from "@/features/settings/api/update-settings";

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

/** Every global setting, with its unit and what it does; saved as a whole. */
export function GlobalSettingsForm() {
  const { data, isPending } = useSettings();
  const update = useUpdateSettings();
  const form = useForm<Values>({ resolver: zodResolver(schema), values: data ? toValues(data) : undefined, resetOptions: { keepDirtyValues: true } });
  const { errors, isSubmitting, isDirty } = form.formState;
  const c = form.control;

  const save = form.handleSubmit(async (v) => {
    try {
      const saved = await update.mutateAsync(toSettings(v));
      form.reset(toValues(saved));
      toast.success("Settings saved", { description: "They apply on every node at once." });
    } catch (err) {
      applyServerErrors(err, form.setError, fields);
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
        <CardDescription>Settings for the whole installation. They apply on every node without a restart.</CardDescription>
      </CardHeader>
      <CardContent>
        <form onSubmit={save} noValidate className="grid gap-8" aria-label="General settings">
          <Section title="Downloads">
            <FormField id="g-concurrency" label="Downloads at once per node" hint="For nodes without their own DOWNLINK_WORKERS; 0 pauses them." error={errors.default_concurrency?.message}>
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
