import { Loader2Icon } from "lucide-react";
import { useForm } from "react-hook-form";
import { Button } from "@/components/ui/button";
import { Checkbox } from "@/components/ui/checkbox";
import { FormField } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import type { Schemas } from "@/lib/api/client";
import { applyServerErrors } from "@/lib/api/errors";

type Subscription = Schemas["Subscription"];
type Body = Schemas["CreateSubscriptionRequest"];

export type SubscriptionValues = {
  url: string;
  name: string;
  interval_hours: string;
  audio_only: boolean;
  backfill: "none" | "last" | "all";
  backfill_count: string;
  title_include: string;
  title_exclude: string;
  min_minutes: string;
  max_minutes: string;
  since: string;
  skip_shorts: boolean;
  skip_live: boolean;
  keep_last: string;
  keep_days: string;
  enabled: boolean;
};

const lines = (s: string) =>
  s
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
const num = (s: string) => (s.trim() === "" ? null : Number(s));

export const valuesOf = (s?: Subscription): SubscriptionValues => ({
  url: s?.url ?? "",
  name: s && s.name !== s.url && s.name !== s.source_title ? s.name : "",
  interval_hours: String(s?.interval_hours ?? 6),
  audio_only: s?.options.preset === "audio",
  backfill: s?.backfill.mode ?? "last",
  backfill_count: String(s?.backfill.mode === "last" ? s.backfill.count : 3),
  title_include: (s?.filters.title_include ?? []).join("\n"),
  title_exclude: (s?.filters.title_exclude ?? []).join("\n"),
  min_minutes: s?.filters.min_duration_seconds != null ? String(s.filters.min_duration_seconds / 60) : "",
  max_minutes: s?.filters.max_duration_seconds != null ? String(s.filters.max_duration_seconds / 60) : "",
  since: s?.filters.published_since ?? "",
  skip_shorts: s?.filters.skip_shorts ?? false,
  skip_live: s?.filters.skip_live ?? false,
  keep_last: s?.retention.keep_last != null ? String(s.retention.keep_last) : "",
  keep_days: s?.retention.keep_days != null ? String(s.retention.keep_days) : "",
  enabled: s?.enabled ?? true,
});

/** The request for the form's values (the URL only when creating). */
export function toSubscriptionRequest(v: SubscriptionValues, creating: boolean): Body {
  const min = num(v.min_minutes);
  const max = num(v.max_minutes);
  const body: Body = {
    url: v.url.trim(),
    name: v.name.trim(),
    interval_hours: Number(v.interval_hours),
    options: v.audio_only ? { preset: "audio" } : {},
    backfill: v.backfill === "last" ? { mode: "last", count: Number(v.backfill_count) } : { mode: v.backfill, count: 0 },
    filters: {
      published_since: v.since || null,
      min_duration_seconds: min == null ? null : min * 60,
      max_duration_seconds: max == null ? null : max * 60,
      title_include: lines(v.title_include),
      title_exclude: lines(v.title_exclude),
      skip_shorts: v.skip_shorts,
      skip_live: v.skip_live,
    },
    retention: { keep_last: num(v.keep_last), keep_days: num(v.keep_days) },
    enabled: v.enabled,
  };
  if (!creating) {
    const { url: _url, backfill: _backfill, ...rest } = body;
    return rest as Body;
  }
  return body;
}

// Server field names → form fields.
const aliases: Record<string, string> = {
  "backfill.count": "backfill_count",
  "backfill.mode": "backfill",
  "filters.title_include": "title_include",
  "filters.title_exclude": "title_exclude",
  "filters.min_duration_seconds": "min_minutes",
  "filters.max_duration_seconds": "max_minutes",
  "filters.published_since": "since",
  "retention.keep_last": "keep_last",
  "retention.keep_days": "keep_days",
  options: "audio_only",
};
const fields = ["url", "name", "interval_hours", ...Object.values(aliases)];

/**
 * Create or edit a subscription: the source (fixed once created), how
 * often, what the first check takes, which items to leave out and how many
 * downloads to keep.
 */
export function SubscriptionForm({
  subscription,
  onSubmit,
  onCancel,
}: {
  subscription?: Subscription;
  onSubmit: (body: Body) => Promise<unknown>;
  onCancel?: () => void;
}) {
  const creating = !subscription;
  const form = useForm<SubscriptionValues>({ defaultValues: valuesOf(subscription) });
  const { errors, isSubmitting } = form.formState;
  const id = subscription ? `sub-${subscription.id}` : "sub-new";
  const backfill = form.watch("backfill");

  const submit = form.handleSubmit(async (v) => {
    try {
      await onSubmit(toSubscriptionRequest(v, creating));
      if (creating) form.reset(valuesOf());
    } catch (err) {
      applyServerErrors(err, form.setError, fields, { aliases, root: true });
    }
  });

  return (
    <form onSubmit={submit} noValidate className="grid gap-4" aria-label={creating ? "New subscription" : "Edit subscription"}>
      {creating && (
        <FormField id={`${id}-url`} label="Channel, playlist or feed" hint="A YouTube channel or playlist, a podcast's RSS/Atom feed, any playlist page." error={errors.url?.message}>
          {(a) => (
            <Input
              type="url"
              inputMode="url"
              autoComplete="off"
              spellCheck={false}
              placeholder="https://example.com/podcast.xml"
              {...a}
              {...form.register("url", { validate: (v) => /^https?:\/\/\S+$/i.test(v.trim()) || "Enter an http(s) link" })}
            />
          )}
        </FormField>
      )}
      <div className="grid gap-4 sm:grid-cols-2">
        <FormField id={`${id}-name`} label="Name" hint="Optional: the source's title is used." error={errors.name?.message}>
          {(a) => <Input {...a} {...form.register("name")} />}
        </FormField>
        <FormField id={`${id}-interval`} label="Check every (hours)" error={errors.interval_hours?.message}>
          {(a) => <Input type="number" min={1} max={720} {...a} {...form.register("interval_hours")} />}
        </FormField>
      </div>
      {creating && (
        <fieldset className="grid gap-2">
          <legend className="mb-1 text-sm font-medium">First check</legend>
          <div className="flex flex-wrap items-center gap-4">
            {(
              [
                ["none", "Only new items"],
                ["last", "The newest"],
                ["all", "Everything"],
              ] as const
            ).map(([value, label]) => (
              <label key={value} className="flex items-center gap-2 text-sm">
                <input type="radio" value={value} {...form.register("backfill")} />
                {label}
              </label>
            ))}
            {backfill === "last" && (
              <Input
                type="number"
                min={1}
                max={1000}
                className="w-24"
                aria-label="How many of the newest"
                aria-invalid={errors.backfill_count ? true : undefined}
                {...form.register("backfill_count")}
              />
            )}
          </div>
          {errors.backfill_count?.message && (
            <p role="alert" className="text-xs font-medium text-destructive">
              {errors.backfill_count.message}
            </p>
          )}
        </fieldset>
      )}
      <fieldset className="grid gap-3">
        <legend className="mb-1 text-sm font-medium">Filters</legend>
        <div className="grid gap-4 sm:grid-cols-2">
          <FormField id={`${id}-include`} label="Title must match" hint="One regular expression per line (any)." error={errors.title_include?.message}>
            {(a) => <textarea rows={2} className="rounded-md border bg-transparent p-2 text-sm" {...a} {...form.register("title_include")} />}
          </FormField>
          <FormField id={`${id}-exclude`} label="Title must not match" hint="One regular expression per line." error={errors.title_exclude?.message}>
            {(a) => <textarea rows={2} className="rounded-md border bg-transparent p-2 text-sm" {...a} {...form.register("title_exclude")} />}
          </FormField>
          <FormField id={`${id}-min`} label="Shortest (minutes)" error={errors.min_minutes?.message}>
            {(a) => <Input type="number" min={0} step="any" {...a} {...form.register("min_minutes")} />}
          </FormField>
          <FormField id={`${id}-max`} label="Longest (minutes)" error={errors.max_minutes?.message}>
            {(a) => <Input type="number" min={0} step="any" {...a} {...form.register("max_minutes")} />}
          </FormField>
          <FormField id={`${id}-since`} label="Published since" error={errors.since?.message}>
            {(a) => <Input type="date" {...a} {...form.register("since")} />}
          </FormField>
        </div>
        <div className="flex flex-wrap gap-4">
          {(
            [
              ["skip_shorts", "Skip Shorts"],
              ["skip_live", "Skip live streams"],
              ["audio_only", "Audio only"],
              ["enabled", "Enabled"],
            ] as const
          ).map(([name, label]) => (
            <div key={name} className="flex items-center gap-2">
              <Checkbox
                id={`${id}-${name}`}
                checked={form.watch(name)}
                onCheckedChange={(on) => form.setValue(name, on === true, { shouldDirty: true })}
              />
              <Label htmlFor={`${id}-${name}`}>{label}</Label>
            </div>
          ))}
        </div>
      </fieldset>
      <fieldset className="grid gap-4 sm:grid-cols-2">
        <legend className="mb-1 text-sm font-medium">Keep</legend>
        <FormField id={`${id}-keep-last`} label="The newest N downloads" hint="Empty: all. Pinned files are always kept." error={errors.keep_last?.message}>
          {(a) => <Input type="number" min={1} {...a} {...form.register("keep_last")} />}
        </FormField>
        <FormField id={`${id}-keep-days`} label="Downloads of the last N days" hint="Empty: no age limit." error={errors.keep_days?.message}>
          {(a) => <Input type="number" min={1} {...a} {...form.register("keep_days")} />}
        </FormField>
      </fieldset>
      {errors.root?.server?.message && (
        <p role="alert" className="rounded-md border border-destructive/40 bg-destructive/10 p-2 text-sm text-destructive">
          {errors.root.server.message}
        </p>
      )}
      <div className="flex gap-2">
        <Button type="submit" disabled={isSubmitting}>
          {isSubmitting && <Loader2Icon className="animate-spin" aria-hidden />}
          {creating ? "Subscribe" : "Save"}
        </Button>
        {onCancel && (
          <Button type="button" variant="ghost" onClick={onCancel}>
            Cancel
          </Button>
        )}
      </div>
    </form>
  );
}
