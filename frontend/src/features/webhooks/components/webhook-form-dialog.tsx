import { zodResolver } from "@hookform/resolvers/zod";
import { Loader2Icon } from "lucide-react";
import { Controller, useForm } from "react-hook-form";
import { z } from "zod";
import { Button } from "@/components/ui/button";
import { Checkbox } from "@/components/ui/checkbox";
import { Dialog, DialogClose, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { FormField } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { Switch } from "@/components/ui/switch";
import { Textarea } from "@/components/ui/textarea";
import type { Schemas } from "@/lib/api/client";
import { applyServerErrors } from "@/lib/api/errors";
import { usePlatforms } from "@/lib/platforms";

type EventType = Schemas["WebhookEventType"];
type Platform = Schemas["Platform"];

export const webhookEvents: { event: EventType; help: string }[] = [
  { event: "download.completed", help: "A download finished; its files are listed in the payload." },
  { event: "download.failed", help: "A download gave up, with the reason." },
  { event: "download.canceled", help: "Someone canceled a download." },
  { event: "subscription.item_queued", help: "A subscription found a new item and queued its download." },
  { event: "subscription.checked", help: "A subscription's check finished, with its new items or its error." },
];

const schema = z.object({
  url: z
    .string()
    .trim()
    .min(1, "Enter the URL to call")
    .max(2048)
    .refine((v) => /^https?:\/\/\S+$/i.test(v), "An http:// or https:// URL"),
  description: z.string().trim().max(500, "At most 500 characters"),
  events: z.array(z.enum(["download.completed", "download.failed", "download.canceled", "subscription.item_queued", "subscription.checked"])).min(1, "Pick at least one event"),
  user_id: z.string(),
  platform: z.string(),
  enabled: z.boolean(),
});
export type WebhookValues = z.infer<typeof schema>;

const fields = ["url", "description", "events", "user_id", "platform", "enabled"];
const aliases = { "filter.user_id": "user_id", "filter.platform": "platform", filter: "user_id" };

const valuesOf = (w?: Schemas["Webhook"]): WebhookValues => ({
  url: w?.url ?? "",
  description: w?.description ?? "",
  events: w?.events ?? ["download.completed", "download.failed"],
  user_id: w?.filter.user_id ?? "any",
  platform: w?.filter.platform ?? "any",
  enabled: w?.enabled ?? true,
});

export function toWebhookRequest(v: WebhookValues): Schemas["CreateWebhookRequest"] {
  return {
    url: v.url.trim(),
    description: v.description.trim(),
    events: v.events,
    filter: { user_id: v.user_id === "any" ? null : v.user_id, platform: v.platform === "any" ? null : (v.platform as Platform) },
    enabled: v.enabled,
  };
}

export type UserOption = { id: string; label: string };

/** Create or edit a webhook: where, what for, which events, whose downloads. */
export function WebhookFormDialog({
  webhook,
  users,
  open,
  onOpenChange,
  onSubmit,
}: {
  webhook?: Schemas["Webhook"];
  users: UserOption[];
  open: boolean;
  onOpenChange: (open: boolean) => void;
  onSubmit: (body: Schemas["CreateWebhookRequest"]) => Promise<void>;
}) {
  const form = useForm<WebhookValues>({ resolver: zodResolver(schema), values: valuesOf(webhook) });
  const platforms = usePlatforms();
  const { errors, isSubmitting } = form.formState;
  const id = webhook ? `wh-${webhook.id}` : "wh-new";
  // The filter may name a user beyond the first page of the directory.
  const userOptions = webhook?.filter.user_id && !users.some((u) => u.id === webhook.filter.user_id) ? [...users, { id: webhook.filter.user_id, label: webhook.filter.user_id }] : users;

  const submit = form.handleSubmit(async (v) => {
    try {
      await onSubmit(toWebhookRequest(v));
    } catch (err) {
      applyServerErrors(err, form.setError, fields, { aliases });
    }
  });

  return (
    <Dialog
      open={open}
      onOpenChange={(o) => {
        if (o) form.reset(valuesOf(webhook));
        onOpenChange(o);
      }}
    >
      <DialogContent className="max-w-xl">
        <DialogHeader>
          <DialogTitle>{webhook ? "Edit webhook" : "New webhook"}</DialogTitle>
          <DialogDescription>Downlink POSTs a signed JSON message to this URL when a matching download finishes.</DialogDescription>
        </DialogHeader>
        <form onSubmit={submit} noValidate className="grid gap-4" aria-label={webhook ? "Edit webhook" : "New webhook"}>
          <FormField id={`${id}-url`} label="URL" hint="http(s); private addresses only when private networks are allowed." error={errors.url?.message}>
            {(a) => <Input type="url" inputMode="url" autoComplete="off" spellCheck={false} autoFocus placeholder="https://hooks.example.com/downlink" {...a} {...form.register("url")} />}
          </FormField>
          <FormField id={`${id}-description`} label="Description" hint="Optional: what it is for." error={errors.description?.message}>
            {(a) => <Textarea rows={2} {...a} {...form.register("description")} />}
          </FormField>
          <Controller
            control={form.control}
            name="events"
            render={({ field }) => (
              <fieldset className="min-w-0 grid gap-2" aria-describedby={errors.events ? `${id}-events-error` : undefined}>
                <legend className="mb-1 text-sm font-medium">Events</legend>
                {webhookEvents.map((e, i) => (
                  <div key={e.event} className="flex items-start gap-2">
                    <Checkbox
                      id={`${id}-ev-${e.event}`}
                      ref={i === 0 ? field.ref : undefined}
                      className="mt-0.5"
                      checked={field.value.includes(e.event)}
                      aria-describedby={`${id}-ev-${e.event}-help`}
                      onCheckedChange={(on) => field.onChange(on === true ? [...field.value, e.event] : field.value.filter((x) => x !== e.event))}
                    />
                    <div className="grid gap-0.5">
                      <Label htmlFor={`${id}-ev-${e.event}`}>
                        <code>{e.event}</code>
                      </Label>
                      <p id={`${id}-ev-${e.event}-help`} className="text-xs text-muted-foreground">
                        {e.help}
                      </p>
                    </div>
                  </div>
                ))}
                {errors.events?.message && (
                  <p id={`${id}-events-error`} role="alert" className="text-xs font-medium text-destructive">
                    {errors.events.message}
                  </p>
                )}
              </fieldset>
            )}
          />
          <div className="grid grid-cols-1 gap-4 sm:grid-cols-2">
            <FormField id={`${id}-user`} label="Only downloads of" error={errors.user_id?.message}>
              {(a) => (
                <Controller
                  control={form.control}
                  name="user_id"
                  render={({ field }) => (
                    <Select value={field.value} onValueChange={field.onChange}>
                      <SelectTrigger ref={field.ref} {...a}>
                        <SelectValue />
                      </SelectTrigger>
                      <SelectContent>
                        <SelectItem value="any">Every user</SelectItem>
                        {userOptions.map((u) => (
                          <SelectItem key={u.id} value={u.id}>
                            {u.label}
                          </SelectItem>
                        ))}
                      </SelectContent>
                    </Select>
                  )}
                />
              )}
            </FormField>
            <FormField id={`${id}-platform`} label="Only from" error={errors.platform?.message}>
              {(a) => (
                <Controller
                  control={form.control}
                  name="platform"
                  render={({ field }) => (
                    <Select value={field.value} onValueChange={field.onChange}>
                      <SelectTrigger ref={field.ref} {...a}>
                        <SelectValue />
                      </SelectTrigger>
                      <SelectContent>
                        <SelectItem value="any">Every platform</SelectItem>
                        {platforms.map((p) => (
                          <SelectItem key={p.name} value={p.name}>
                            {p.label}
                          </SelectItem>
                        ))}
                      </SelectContent>
                    </Select>
                  )}
                />
              )}
            </FormField>
          </div>
          <Controller
            control={form.control}
            name="enabled"
            render={({ field }) => (
              <div className="flex items-center gap-2">
                <Switch id={`${id}-enabled`} checked={field.value} onCheckedChange={field.onChange} />
                <Label htmlFor={`${id}-enabled`}>Enabled</Label>
              </div>
            )}
          />
          <DialogFooter>
            <DialogClose asChild>
              <Button variant="outline">Cancel</Button>
            </DialogClose>
            <Button type="submit" disabled={isSubmitting}>
              {isSubmitting && <Loader2Icon className="animate-spin" aria-hidden />}
              {webhook ? "Save webhook" : "Create webhook"}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
