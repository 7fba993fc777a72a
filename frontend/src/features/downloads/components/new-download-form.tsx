import { DownloadIcon, EyeIcon, Loader2Icon, SlidersHorizontalIcon } from "lucide-react";
import { lazy, Suspense, useEffect, useId, useRef, useState } from "react";
import { useForm } from "react-hook-form";
import { Link } from "wouter";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { Card, CardContent } from "@/components/ui/card";
import { FixLink, fixOf, type ProblemFix } from "@/components/fix-link";
import { applyServerErrors } from "@/lib/api/errors";
import { isApiError } from "@/lib/api/problem";
import { detectPlatform, usePlatforms } from "@/lib/platforms";
import { randomId } from "@/lib/utils";
import { useCreateDownload } from "@/features/downloads/api/create-download";
import { useProbeDownload } from "@/features/downloads/api/probe-download";
import {
  defaultOptionValues,
  fromPreferences,
  type NewDownloadValues,
  optionAliases,
  toPreferences,
  toRequest,
} from "@/features/downloads/components/download-options";
import { usePreferences } from "@/features/downloads/api/get-preferences";
import { usePutPreferences } from "@/features/downloads/api/put-preferences";
import { BatchResults, type BatchResult, failureOf } from "@/features/downloads/components/batch-results";
import { ProbePreview } from "@/features/downloads/components/probe-preview";
import { UrlBox } from "@/features/downloads/components/url-box";
import { useOpenDownload } from "@/features/downloads/hooks/use-open-download";
import { parseUrls } from "@/features/downloads/utils/parse-urls";

// Its own chunk: loads when the panel is first opened (most visits never do).
const DownloadOptions = lazy(() => import("@/features/downloads/components/download-options-fields").then((m) => ({ default: m.DownloadOptions })));

type Values = NewDownloadValues;
const fields = ["url", ...Object.keys(defaultOptionValues)];

/** A link the user downloaded before (the server's 409 already-downloaded). */
type Duplicate = { url: string; values: Values; detail: string; downloadId: string | null };

const duplicateOf = (err: unknown, url: string, values: Values): Duplicate | null => {
  if (!isApiError(err, 409) || !err.problem.type.endsWith("/already-downloaded")) return null;
  const id = err.problem.existing_download_id;
  return { url, values, detail: err.problem.detail ?? err.message, downloadId: typeof id === "string" ? id : null };
};

/**
 * Paste a link, look at it, pick options, queue it. Several links pasted at
 * once (one per line) are queued one by one with the same options, each with
 * its own result row; the ones refused stay in the box to fix and resend.
 */
export function NewDownloadForm({ isAdmin = false }: { isAdmin?: boolean }) {
  const form = useForm<Values>({ defaultValues: { url: "", ...defaultOptionValues } });
  // What this user chose last (remembered on the server) starts the options,
  // once it arrives, unless they were already changed here.
  const prefs = usePreferences();
  const remember = usePutPreferences();
  const applied = useRef(false);
  useEffect(() => {
    if (!prefs.data || applied.current) return;
    applied.current = true;
    // New defaults for every option (shown or not); what was typed stays.
    form.reset({ ...fromPreferences(prefs.data), url: form.getValues("url") }, { keepDirtyValues: true });
  }, [prefs.data, form]);
  const [showOptions, setShowOptions] = useState(false);
  const [optionsMounted, setOptionsMounted] = useState(false);
  if (showOptions && !optionsMounted) setOptionsMounted(true);
  const [results, setResults] = useState<BatchResult[] | null>(null);
  // The setting that would allow the last refused link, for an admin's link.
  const [fix, setFix] = useState<ProblemFix | null>(null);
  const [duplicate, setDuplicate] = useState<Duplicate | null>(null);
  const { hrefFor } = useOpenDownload();
  const optionsId = useId();
  const create = useCreateDownload();
  const probe = useProbeDownload();
  const url = form.watch("url");
  const platforms = usePlatforms();
  const platform = detectPlatform(url, platforms);
  const { errors, isSubmitting } = form.formState;
  const probed = probe.data && probe.variables === url.trim() ? probe.data : null;
  const many = parseUrls(url).length > 1;

  const validUrl = (v: string) => {
    const urls = parseUrls(v);
    if (urls.length <= 1) return detectPlatform(urls[0] ?? "", platforms) ? true : "Enter an http(s) link or a spotify: URI";
    const bad = urls.find((u) => !detectPlatform(u, platforms));
    return bad ? `Not a link: ${bad} (put one http(s) link or spotify: URI on each line)` : true;
  };

  // One POST per link, in the order pasted, each row showing its own answer.
  const submitMany = async (urls: string[], v: Values) => {
    setResults(urls.map((u) => ({ url: u, state: "pending" })));
    const done: BatchResult[] = [];
    for (const [i, u] of urls.entries()) {
      let r: BatchResult;
      try {
        const d = await create.mutateAsync({ body: toRequest(u, v, detectPlatform(u, platforms)), idempotencyKey: randomId() });
        r = { url: u, state: "queued", download: d };
      } catch (err) {
        r = failureOf(u, err);
      }
      done.push(r);
      setResults((prev) => prev?.map((p, j) => (j === i ? r : p)) ?? null);
    }
    if (done.some((r) => r.state === "queued")) remember.mutate(toPreferences(v));
    const failed = done.filter((r) => r.state === "failed").map((r) => r.url);
    form.reset({ ...v, url: failed.join("\n") });
    if (failed.length === 0) toast.success(`${urls.length} downloads queued`);
    else toast.error(`${urls.length - failed.length} of ${urls.length} links queued`, { description: "The links that were refused stay in the box." });
  };

  const onPreview = async () => {
    if (!(await form.trigger("url"))) return;
    form.clearErrors("root");
    setFix(null);
    try {
      await probe.mutateAsync(form.getValues("url").trim());
    } catch (err) {
      if (isApiError(err)) setFix(fixOf(err.problem));
      applyServerErrors(err, form.setError, ["url"], { root: true });
    }
  };

  const submitOne = async (single: string, v: Values, allowDuplicate = false) => {
    setDuplicate(null);
    setFix(null);
    try {
      const body = toRequest(single, v, detectPlatform(single, platforms));
      const d = await create.mutateAsync({ body: allowDuplicate ? { ...body, allow_duplicate: true } : body, idempotencyKey: randomId() });
      toast.success("Download queued", { description: d.title ?? d.url });
      remember.mutate(toPreferences(v));
      form.reset({ ...v, url: "" });
      probe.reset();
    } catch (err) {
      if (isApiError(err)) setFix(fixOf(err.problem));
      const dup = duplicateOf(err, single, v);
      if (dup) {
        setDuplicate(dup);
        return;
      }
      if (isApiError(err, 507) || isApiError(err, 429)) {
        applyServerErrors(err, form.setError, [], { root: true });
        return;
      }
      const named = applyServerErrors(err, form.setError, fields, { aliases: optionAliases });
      // An option was refused: open the options so the user sees it.
      if (named.some((f) => f !== "url")) setShowOptions(true);
    }
  };

  const onSubmit = form.handleSubmit(async (v) => {
    const urls = parseUrls(v.url);
    if (urls.length > 1) return submitMany(urls, v);
    setResults(null);
    await submitOne(urls[0]!, v);
  });

  return (
    <Card>
      <CardContent className="pt-4 sm:pt-5">
        <form onSubmit={onSubmit} noValidate className="grid gap-3" aria-label="New download">
          <div className="flex flex-wrap items-baseline justify-between gap-x-3">
            <label htmlFor="new-url" className="text-sm font-medium">
              Link to download
            </label>
            <span id="new-url-hint" className="text-xs text-muted-foreground">
              One link, or several, one per line
            </span>
          </div>
          <div className="flex flex-col gap-2 sm:flex-row">
            <div className="min-w-0 flex-1">
              <UrlBox
                id="new-url"
                value={url}
                aria-invalid={errors.url ? true : undefined}
                aria-describedby={errors.url ? "new-url-error new-url-hint" : "new-url-hint"}
                {...form.register("url", { validate: validUrl })}
              />
            </div>
            <div className="flex gap-2">
              <Button type="button" variant="outline" className="h-11 flex-1 sm:flex-none" onClick={onPreview} disabled={probe.isPending || !url.trim() || many}>
                {probe.isPending ? <Loader2Icon className="animate-spin" aria-hidden /> : <EyeIcon aria-hidden />}
                Preview
              </Button>
              <Button type="submit" className="h-11 flex-1 sm:flex-none" disabled={isSubmitting}>
                {isSubmitting ? <Loader2Icon className="animate-spin" aria-hidden /> : <DownloadIcon aria-hidden />}
                {many ? `Download ${parseUrls(url).length}` : "Download"}
              </Button>
            </div>
          </div>
          {errors.url?.message && (
            <p id="new-url-error" role="alert" className="text-xs font-medium text-destructive">
              {errors.url.message}
            </p>
          )}
          <FixLink fix={fix} isAdmin={isAdmin} />
          {errors.root?.server?.message && (
            <p role="alert" className="rounded-md border border-destructive/40 bg-destructive/10 p-2 text-sm text-destructive">
              {errors.root.server.message}
            </p>
          )}
          {duplicate && (
            <div role="alert" className="grid gap-2 rounded-md border border-amber-500/40 bg-amber-500/10 p-3 text-sm">
              <p className="font-medium">Already downloaded</p>
              <p>{duplicate.detail.replace(/ Send allow_duplicate: true to download it again\.$/, "")}</p>
              <div className="flex flex-wrap gap-2">
                {duplicate.downloadId && (
                  <Button asChild variant="outline" size="sm">
                    <Link href={hrefFor(duplicate.downloadId)}>Open the earlier download</Link>
                  </Button>
                )}
                <Button type="button" size="sm" disabled={isSubmitting || create.isPending} onClick={() => void submitOne(duplicate.url, duplicate.values, true)}>
                  Download again
                </Button>
                <Button type="button" variant="ghost" size="sm" onClick={() => setDuplicate(null)}>
                  Keep the one I have
                </Button>
              </div>
            </div>
          )}
          {probe.isPending && <p className="text-sm text-muted-foreground" role="status">Looking at the link…</p>}
          {probed && !many && <ProbePreview probe={probed} />}
          {results && <BatchResults results={results} hrefFor={hrefFor} isAdmin={isAdmin} />}
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
          {/* Mounted when first shown: its selects, checkboxes and switches
              measure themselves on mount (forced layouts that were most of
              the home page's first render). Values live in the form either way. */}
          <div id={optionsId} hidden={!showOptions}>
            {optionsMounted && (
              <Suspense fallback={<p className="text-sm text-muted-foreground">Loading options…</p>}>
                <DownloadOptions control={form.control} register={form.register} errors={errors} platform={platform} />
              </Suspense>
            )}
          </div>
        </form>
      </CardContent>
    </Card>
  );
}
