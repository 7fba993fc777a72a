import { DownloadIcon, EyeIcon, Loader2Icon, SlidersHorizontalIcon } from "lucide-react";
import { useId, useState } from "react";
import { useForm } from "react-hook-form";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { Card, CardContent } from "@/components/ui/card";
import { applyServerErrors } from "@/lib/api/errors";
import { isApiError } from "@/lib/api/problem";
import { randomId } from "@/lib/utils";
import { useCreateDownload } from "@/features/downloads/api/create-download";
import { useProbeDownload } from "@/features/downloads/api/probe-download";
import {
  defaultOptionValues,
  DownloadOptions,
  type NewDownloadValues,
  optionAliases,
  toRequest,
} from "@/features/downloads/components/download-options";
import { ProbePreview } from "@/features/downloads/components/probe-preview";
import { UrlBox } from "@/features/downloads/components/url-box";
import { detectPlatform } from "@/features/downloads/utils/detect-platform";

type Values = NewDownloadValues;
const fields = ["url", ...Object.keys(defaultOptionValues)];

/** Paste a link, look at it, pick options, queue it. */
export function NewDownloadForm() {
  const form = useForm<Values>({ defaultValues: { url: "", ...defaultOptionValues } });
  const [showOptions, setShowOptions] = useState(false);
  const optionsId = useId();
  const create = useCreateDownload();
  const probe = useProbeDownload();
  const url = form.watch("url");
  const platform = detectPlatform(url);
  const { errors, isSubmitting } = form.formState;
  const probed = probe.data && probe.variables === url.trim() ? probe.data : null;

  const validUrl = (v: string) => (detectPlatform(v) ? true : "Enter an http(s) link or a spotify: URI");

  const onPreview = async () => {
    if (!(await form.trigger("url"))) return;
    form.clearErrors("root");
    try {
      await probe.mutateAsync(form.getValues("url").trim());
    } catch (err) {
      applyServerErrors(err, form.setError, ["url"], { root: true });
    }
  };

  const onSubmit = form.handleSubmit(async (v) => {
    try {
      const d = await create.mutateAsync({ body: toRequest(v.url, v, detectPlatform(v.url)), idempotencyKey: randomId() });
      toast.success("Download queued", { description: d.title ?? d.url });
      form.reset({ ...v, url: "" });
      probe.reset();
    } catch (err) {
      if (isApiError(err, 507) || isApiError(err, 429)) {
        applyServerErrors(err, form.setError, [], { root: true });
        return;
      }
      const named = applyServerErrors(err, form.setError, fields, { aliases: optionAliases });
      // An option was refused: open the options so the user sees it.
      if (named.some((f) => f !== "url")) setShowOptions(true);
    }
  });

  return (
    <Card>
      <CardContent className="pt-4 sm:pt-5">
        <form onSubmit={onSubmit} noValidate className="grid gap-3" aria-label="New download">
          <label htmlFor="new-url" className="text-sm font-medium">
            Link to download
          </label>
          <div className="flex flex-col gap-2 sm:flex-row">
            <div className="min-w-0 flex-1">
              <UrlBox
                id="new-url"
                value={url}
                aria-invalid={errors.url ? true : undefined}
                aria-describedby={errors.url ? "new-url-error" : undefined}
                {...form.register("url", { validate: validUrl })}
              />
            </div>
            <div className="flex gap-2">
              <Button type="button" variant="outline" className="h-11 flex-1 sm:flex-none" onClick={onPreview} disabled={probe.isPending || !url.trim()}>
                {probe.isPending ? <Loader2Icon className="animate-spin" aria-hidden /> : <EyeIcon aria-hidden />}
                Preview
              </Button>
              <Button type="submit" className="h-11 flex-1 sm:flex-none" disabled={isSubmitting}>
                {isSubmitting ? <Loader2Icon className="animate-spin" aria-hidden /> : <DownloadIcon aria-hidden />}
                Download
              </Button>
            </div>
          </div>
          {errors.url?.message && (
            <p id="new-url-error" role="alert" className="text-xs font-medium text-destructive">
              {errors.url.message}
            </p>
          )}
          {errors.root?.server?.message && (
            <p role="alert" className="rounded-md border border-destructive/40 bg-destructive/10 p-2 text-sm text-destructive">
              {errors.root.server.message}
            </p>
          )}
          {probe.isPending && <p className="text-sm text-muted-foreground" role="status">Looking at the link…</p>}
          {probed && <ProbePreview probe={probed} />}
          <div>
            <Button
              type="button"
              variant="ghost"
              size="sm"
              aria-expanded={showOptions}
              aria-controls={optionsId}
              onClick={() => setShowOptions((s) => !s)}
            >
              <SlidersHorizontalIcon aria-hidden /> {showOptions ? "Hide options" : "Options"}
            </Button>
          </div>
          <div id={optionsId} hidden={!showOptions}>
            <DownloadOptions control={form.control} register={form.register} errors={errors} platform={platform} />
          </div>
        </form>
      </CardContent>
    </Card>
  );
}
