import { CheckCircle2Icon, ExternalLinkIcon, Loader2Icon, PlayIcon, XCircleIcon } from "lucide-react";
import type * as React from "react";
import { Link } from "wouter";
import { Button } from "@/components/ui/button";
import { isApiError } from "@/lib/api/problem";
import { docsUrl } from "@/lib/docs";
import { plural } from "@/lib/format";
import type { Platform } from "@/lib/platforms";
import { useTestYoutube } from "@/features/settings/api/test-youtube";

function Doc({ page, children }: { page: string; children: React.ReactNode }) {
  return (
    <a href={docsUrl(page)} target="_blank" rel="noreferrer" className="inline-flex items-center gap-1 font-medium text-primary underline underline-offset-2">
      {children} <ExternalLinkIcon className="size-3" aria-hidden />
    </a>
  );
}

function Topic({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <li className="grid content-start gap-1 rounded-md border bg-muted/30 p-3 text-sm">
      <p className="font-medium">{title}</p>
      <div className="grid gap-1 text-muted-foreground">{children}</div>
    </li>
  );
}

/** Probes a known-good YouTube video and says whether this server can read YouTube. */
function YoutubeTest() {
  const test = useTestYoutube();
  const err = test.error;
  return (
    <div className="flex flex-wrap items-center gap-3 sm:col-span-3">
      <Button type="button" variant="outline" size="sm" onClick={() => test.mutate()} disabled={test.isPending}>
        {test.isPending ? <Loader2Icon className="animate-spin" aria-hidden /> : <PlayIcon aria-hidden />} Test YouTube
      </Button>
      <p role="status" className="text-sm" data-testid="youtube-test-result">
        {test.isSuccess && (
          <span className="inline-flex items-center gap-1.5 text-success">
            <CheckCircle2Icon className="size-4" aria-hidden /> YouTube answered: “{test.data.title ?? "the test video"}”, {plural(test.data.formats.length, "format")}.
          </span>
        )}
        {err && (
          <span className="inline-flex items-center gap-1.5 text-destructive">
            <XCircleIcon className="size-4 shrink-0" aria-hidden />
            {isApiError(err) ? (err.problem.detail ?? err.problem.title) : "The server could not be reached."}
          </span>
        )}
      </p>
    </div>
  );
}

/**
 * What makes a platform work, where it matters: YouTube's challenge
 * solver, cookies and PO tokens (with a test); Spotify's app, step by
 * step; Instagram's cookies and the risk to the account.
 */
export function PlatformHelp({ platform }: { platform: Platform }) {
  if (platform === "youtube") {
    return (
      <div className="grid gap-3" data-testid="platform-help">
        <ul className="grid gap-2 sm:grid-cols-3">
          <Topic title="Challenge solver">
            <p>
              YouTube hides its formats behind a JavaScript challenge; yt-dlp solves it with Deno. Without it downloads lose formats or fail. Its state is on the{" "}
              <Link href="/system" className="font-medium text-primary underline underline-offset-2">
                System page
              </Link>
              .
            </p>
            <Doc page="youtube.md#the-javascript-challenge-solver">How the solver works</Doc>
          </Topic>
          <Topic title="Cookies">
            <p>
              Needed for “confirm you're not a bot”, age and members-only videos. Export cookies.txt from a private window signed in to a throwaway account: YouTube may
              suspend an account that downloads a lot.
            </p>
            <Doc page="youtube.md#cookies">Exporting YouTube cookies</Doc>
          </Topic>
          <Topic title="PO tokens">
            <p>From data-center servers YouTube often wants a proof-of-origin token; a PO-token provider running beside Downlink supplies them.</p>
            <Doc page="youtube.md#po-tokens-servers-youtube-blocks">Setting up a provider</Doc>
          </Topic>
        </ul>
        <YoutubeTest />
      </div>
    );
  }
  if (platform === "spotify") {
    const callback = `${window.location.origin}/api/v1/settings/platforms/spotify/account/callback`;
    return (
      <div className="grid gap-2 rounded-md border bg-muted/30 p-3 text-sm" data-testid="platform-help">
        <p className="font-medium">Setting up a Spotify app (optional)</p>
        <p className="text-muted-foreground">
          Without one, track, album and playlist links still work from Spotify's public pages; the audio comes from YouTube Music or YouTube.
        </p>
        <ol className="grid list-decimal gap-1 pl-5 text-muted-foreground">
          <li>
            Open the{" "}
            <a href="https://developer.spotify.com/dashboard" target="_blank" rel="noreferrer" className="font-medium text-primary underline underline-offset-2">
              Spotify developer dashboard
            </a>{" "}
            and sign in. Spotify serves an app only while its owner has Premium.
          </li>
          <li>Create app: any name and description; tick “Web API”.</li>
          <li>
            Under Redirect URIs add <code className="break-all rounded bg-muted px-1 text-xs text-foreground">{callback}</code> (only needed to connect your account).
          </li>
          <li>In the app's Settings, copy the Client ID and “View client secret” into the fields below, save, then press “Test connection”.</li>
        </ol>
        <Doc page="platforms.md#spotify">More about Spotify</Doc>
      </div>
    );
  }
  if (platform === "instagram") {
    return (
      <div className="grid gap-1 rounded-md border border-warning/40 bg-warning/10 p-3 text-sm" data-testid="platform-help">
        <p className="font-medium">Cookies, and the risk to the account</p>
        <p className="text-muted-foreground">
          Without cookies Instagram shows only some public posts and soon asks to log in. Cookies of a signed-in account read more, but Instagram flags accounts that fetch
          a lot, and may lock or suspend them: use a secondary account, never your own, keep downloads at once at 1 and a pause between requests.
        </p>
        <Doc page="platforms.md#instagram">More about Instagram</Doc>
      </div>
    );
  }
  return null;
}
