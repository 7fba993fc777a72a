import { zodResolver } from "@hookform/resolvers/zod";
import { Loader2Icon } from "lucide-react";
import { Controller, useForm } from "react-hook-form";
import { z } from "zod";
import { Button } from "@/components/ui/button";
import { Checkbox } from "@/components/ui/checkbox";
import { DialogClose, DialogFooter } from "@/components/ui/dialog";
import { FormField } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { Textarea } from "@/components/ui/textarea";
import type { Schemas } from "@/lib/api/client";
import { applyServerErrors } from "@/lib/api/errors";
import { formatDateTime } from "@/lib/format";
import { type ExpiryChoice, endOfLocalDay, expiryPresets, tomorrowInput } from "@/features/api-keys/utils/expiry";
import { allScopes, type Scope, scopeInfo } from "@/features/api-keys/utils/scopes";

const expiryChoices = ["default", "keep", "7", "30", "90", "365", "never", "custom"] as const;

export const apiKeySchema = z
  .object({
    name: z.string().trim().min(1, "Give the key a name").max(100, "At most 100 characters"),
    scopes: z.array(z.enum(allScopes as [Scope, ...Scope[]])).min(1, "Pick at least one scope"),
    expiry: z.enum(expiryChoices),
    expiry_date: z.string(),
    rate_limit_per_minute: z
      .string()
      .trim()
      .regex(/^\d+$/, "A whole number")
      .refine((v) => Number(v) >= 1 && Number(v) <= 100_000, "Between 1 and 100000"),
    daily_download_quota: z
      .string()
      .trim()
      .refine((v) => v === "" || (/^\d+$/.test(v) && Number(v) >= 1), "A whole number of at least 1, or empty for no quota"),
    allowed_ips: z
      .string()
      .refine((v) => parseIps(v).length <= 50, "At most 50 entries")
      .refine((v) => parseIps(v).every((ip) => ip.length <= 49 && /^[0-9a-fA-F.:/]+$/.test(ip)), "Use IP addresses or CIDRs such as 192.168.1.0/24"),
  })
  .superRefine((v, ctx) => {
    if (v.expiry !== "custom") return;
    const end = endOfLocalDay(v.expiry_date);
    if (!end) ctx.addIssue({ code: "custom", path: ["expiry_date"], message: "Pick a date" });
    else if (end.getTime() <= Date.now()) ctx.addIssue({ code: "custom", path: ["expiry_date"], message: "Pick a date in the future" });
  });

export type ApiKeyValues = z.infer<typeof apiKeySchema>;

/** "10.0.0.0/8, 192.168.1.7" (commas, spaces or lines) → the entries. */
export function parseIps(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

const fields = ["name", "scopes", "expiry", "expiry_date", "rate_limit_per_minute", "daily_download_quota", "allowed_ips"];
const aliases = { expires_at: "expiry" };

export function valuesOf(key?: Schemas["APIKey"]): ApiKeyValues {
  return {
    name: key?.name ?? "",
    // A new key gets what sending links needs (scripts, bookmarklet, phone shortcuts).
    scopes: key?.scopes ?? ["downloads:read", "downloads:write"],
    expiry: key ? "keep" : "90",
    expiry_date: "",
    rate_limit_per_minute: String(key?.rate_limit_per_minute ?? 60),
    daily_download_quota: key?.daily_download_quota != null ? String(key.daily_download_quota) : "",
    allowed_ips: key?.allowed_ips.join("\n") ?? "",
  };
}

/**
 * The fields of a key (create and edit): name, scopes with what each allows
 * (admin scopes only for admins), expiry, limits and the IP allow-list.
 * `onSubmit` gets the valid values; a server 422 lands on the field it names.
 */
export function ApiKeyForm({
  apiKey,
  availableScopes,
  submitLabel,
  onSubmit,
}: {
  apiKey?: Schemas["APIKey"];
  availableScopes: readonly Scope[];
  submitLabel: string;
  onSubmit: (values: ApiKeyValues, dirty: Partial<Record<keyof ApiKeyValues, unknown>>) => Promise<void>;
}) {
  const form = useForm<ApiKeyValues>({ resolver: zodResolver(apiKeySchema), defaultValues: valuesOf(apiKey) });
  const { errors, isSubmitting, dirtyFields } = form.formState;
  const expiry = form.watch("expiry");
  // A key may keep a scope its owner no longer offers (an admin key seen by
  // its owner after a demotion); show it so it can be removed.
  const shown = scopeInfo.filter((s) => availableScopes.includes(s.scope) || apiKey?.scopes.includes(s.scope));
  const idp = apiKey ? `key-${apiKey.id}` : "key-new";

  const submit = form.handleSubmit(async (v) => {
    try {
      await onSubmit(v, dirtyFields as Partial<Record<keyof ApiKeyValues, unknown>>);
    } catch (err) {
      applyServerErrors(err, form.setError, fields, { aliases });
    }
  });

  const keepLabel = apiKey
    ? apiKey.expires_at
      ? `Keep: ${new Date(apiKey.expires_at).getTime() < Date.now() ? "expired" : "expires"} ${formatDateTime(apiKey.expires_at)}`
      : "Keep: never expires"
    : "";

  return (
    <form onSubmit={submit} noValidate className="grid gap-4" aria-label={apiKey ? `Edit ${apiKey.name}` : "New API key"}>
      <FormField id={`${idp}-name`} label="Name" hint="What or who uses it, e.g. “Home Assistant”." error={errors.name?.message}>
        {(a) => <Input autoComplete="off" autoFocus {...a} {...form.register("name")} />}
      </FormField>

      <fieldset className="min-w-0 grid gap-2" aria-describedby={errors.scopes ? `${idp}-scopes-error` : undefined}>
        <legend className="mb-1 text-sm font-medium">Scopes</legend>
        <Controller
          control={form.control}
          name="scopes"
          render={({ field }) => (
            <div className="grid grid-cols-1 gap-2 sm:grid-cols-2">
              {shown.map((s, i) => {
                const id = `${idp}-scope-${s.scope.replace(":", "-")}`;
                return (
                  <div key={s.scope} className="flex items-start gap-2 rounded-md border p-2.5">
                    <Checkbox
                      id={id}
                      ref={i === 0 ? field.ref : undefined}
                      className="mt-0.5"
                      checked={field.value.includes(s.scope)}
                      aria-describedby={`${id}-help`}
                      data-scope={s.scope}
                      onCheckedChange={(on) => field.onChange(on === true ? [...field.value, s.scope] : field.value.filter((x) => x !== s.scope))}
                    />
                    <div className="grid gap-0.5">
                      <label htmlFor={id} className="text-sm leading-tight font-medium">
                        {s.label} <code className="text-xs font-normal text-muted-foreground">{s.scope}</code>
                      </label>
                      <p id={`${id}-help`} className="text-xs text-muted-foreground">
                        {s.help}
                      </p>
                    </div>
                  </div>
                );
              })}
            </div>
          )}
        />
        {errors.scopes?.message && (
          <p id={`${idp}-scopes-error`} role="alert" className="text-xs font-medium text-destructive">
            {errors.scopes.message}
          </p>
        )}
      </fieldset>

      <div className="grid grid-cols-1 gap-4 sm:grid-cols-2">
        <FormField id={`${idp}-expiry`} label="Expires" error={errors.expiry?.message}>
          {(a) => (
            <Controller
              control={form.control}
              name="expiry"
              render={({ field }) => (
                <Select value={field.value} onValueChange={(v) => field.onChange(v as ExpiryChoice)}>
                  <SelectTrigger ref={field.ref} {...a}>
                    <SelectValue />
                  </SelectTrigger>
                  <SelectContent>
                    {apiKey ? <SelectItem value="keep">{keepLabel}</SelectItem> : <SelectItem value="default">Server default</SelectItem>}
                    {expiryPresets.map((p) => (
                      <SelectItem key={p.value} value={p.value}>
                        {p.value === "never" || p.value === "custom" ? p.label : `In ${p.label}`}
                      </SelectItem>
                    ))}
                  </SelectContent>
                </Select>
              )}
            />
          )}
        </FormField>
        {expiry === "custom" && (
          <FormField id={`${idp}-expiry-date`} label="Expiry date" hint="Works until the end of that day." error={errors.expiry_date?.message}>
            {(a) => <Input type="date" min={tomorrowInput()} {...a} {...form.register("expiry_date")} />}
          </FormField>
        )}
      </div>

      <div className="grid grid-cols-1 gap-4 sm:grid-cols-2">
        <FormField id={`${idp}-rate`} label="Rate limit" hint="Requests per minute before it gets 429." error={errors.rate_limit_per_minute?.message}>
          {(a) => <Input type="number" inputMode="numeric" min={1} max={100000} {...a} {...form.register("rate_limit_per_minute")} />}
        </FormField>
        <FormField id={`${idp}-quota`} label="Daily download quota" hint="Downloads per UTC day; empty for no quota." error={errors.daily_download_quota?.message}>
          {(a) => <Input type="number" inputMode="numeric" min={1} placeholder="No quota" {...a} {...form.register("daily_download_quota")} />}
        </FormField>
      </div>

      <FormField
        id={`${idp}-ips`}
        label="Allowed IPs"
        hint="One address or CIDR per line (192.168.1.0/24, 2001:db8::/32). Empty: from anywhere."
        error={errors.allowed_ips?.message}
      >
        {(a) => <Textarea rows={3} spellCheck={false} className="font-mono text-xs" placeholder="From anywhere" {...a} {...form.register("allowed_ips")} />}
      </FormField>

      <DialogFooter>
        <DialogClose asChild>
          <Button variant="outline">Cancel</Button>
        </DialogClose>
        <Button type="submit" disabled={isSubmitting}>
          {isSubmitting && <Loader2Icon className="animate-spin" aria-hidden />}
          {submitLabel}
        </Button>
      </DialogFooter>
    </form>
  );
}
