import { Loader2Icon, PlugZapIcon, Trash2Icon } from "lucide-react";
import { useState } from "react";
import { Controller, type Control, type FieldErrors, type UseFormGetValues, type UseFormRegister, type UseFormSetError } from "react-hook-form";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { FormField } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import type { Schemas } from "@/lib/api/client";
import { applyServerErrors } from "@/lib/api/errors";
import { useTestSpotify } from "@/features/settings/api/test-spotify";
import { SpotifyAccount } from "@/features/settings/components/spotify-account";
import type { PlatformValues, SearchBackend } from "@/features/settings/utils/platform-form";

const testTitles: Record<Schemas["SpotifyTestResult"]["reason"], string> = {
  ok: "Connected",
  no_credentials: "No credentials: public pages only",
  invalid_credentials: "Credentials refused",
  premium_required: "The Spotify app's owner needs Premium",
  forbidden: "Access refused",
  rate_limited: "Rate limited",
  account_revoked: "Connected account no longer valid",
  unreachable: "Spotify did not answer",
};

const backends: Record<SearchBackend, string> = {
  auto: "Automatic (ISRC, then YouTube Music, then YouTube)",
  youtube_music: "YouTube Music songs",
  youtube: "YouTube videos",
};

/** What each way of reading Spotify gives, from no setup to the most. */
const modes = [
  { title: "No setup", text: "Track, album and playlist links work from Spotify's public pages: titles, artists, durations and order (a playlist's first 100 tracks). No ISRC: matching uses artists, title and duration." },
  { title: "App credentials", text: "A client id and secret from developer.spotify.com add each track's ISRC, album and cover (the ISRC finds the exact recording). Spotify requires the app's owner to have Premium." },
  { title: "Connected account", text: "Reads the playlists your account owns or collaborates on, private ones included, in full." },
];

/**
 * Spotify Web API credentials (the secret is write-only: only whether one is
 * stored is known), where tracks are looked for and the optional connected
 * account, with a connection test that tries what is in the form without
 * saving it.
 */
export function SpotifyOptions({
  control,
  register,
  errors,
  getValues,
  setError,
  secretSet,
  clientIdSet,
  onRemoveSecret,
}: {
  control: Control<PlatformValues>;
  register: UseFormRegister<PlatformValues>;
  errors: FieldErrors<PlatformValues>;
  getValues: UseFormGetValues<PlatformValues>;
  setError: UseFormSetError<PlatformValues>;
  secretSet: boolean;
  clientIdSet: boolean;
  onRemoveSecret: () => void;
}) {
  const test = useTestSpotify();
  const [confirm, setConfirm] = useState(false);
  const e = errors.options?.spotify;

  const runTest = async () => {
    const sp = getValues("options.spotify");
    const body: Schemas["SpotifyTestRequest"] = { api_base_url: sp.api_base_url.trim(), token_url: sp.token_url.trim() };
    if (sp.client_id.trim()) body.client_id = sp.client_id.trim();
    if (sp.client_secret) body.client_secret = sp.client_secret;
    try {
      await test.mutateAsync(body);
    } catch (err) {
      applyServerErrors(err, setError, ["options.spotify.client_id", "options.spotify.client_secret", "options.spotify.api_base_url", "options.spotify.token_url"], {
        aliases: { client_id: "options.spotify.client_id", client_secret: "options.spotify.client_secret", api_base_url: "options.spotify.api_base_url", token_url: "options.spotify.token_url" },
      });
    }
  };

  return (
    <fieldset className="min-w-0 grid grid-cols-1 gap-4 sm:grid-cols-2">
      <legend className="mb-2 text-sm font-medium">Spotify</legend>
      <ul className="grid gap-2 text-sm sm:col-span-2 sm:grid-cols-3" aria-label="What each setup gives">
        {modes.map((m) => (
          <li key={m.title} className="rounded-md border bg-muted/30 p-3">
            <p className="font-medium">{m.title}</p>
            <p className="text-muted-foreground">{m.text}</p>
          </li>
        ))}
      </ul>
      <FormField id="spotify-client-id" label="Client ID" hint="From developer.spotify.com (optional): adds ISRCs, albums and covers." error={e?.client_id?.message}>
        {(a) => <Input autoComplete="off" spellCheck={false} className="font-mono" {...a} {...register("options.spotify.client_id")} />}
      </FormField>
      <FormField
        id="spotify-client-secret"
        label="Client secret"
        hint={secretSet ? "A secret is stored. Type a new one to replace it; empty keeps it." : "Not set. Stored encrypted and never shown again."}
        error={e?.client_secret?.message}
      >
        {(a) => (
          <div className="flex gap-2">
            <Input
              type="password"
              autoComplete="new-password"
              spellCheck={false}
              placeholder={secretSet ? "•••••••• (stored)" : "Not set"}
              className="min-w-0 flex-1 font-mono"
              {...a}
              {...register("options.spotify.client_secret")}
            />
            {secretSet && (
              <Button variant="outline" size="icon" aria-label="Remove the stored client secret" onClick={() => setConfirm(true)}>
                <Trash2Icon aria-hidden />
              </Button>
            )}
          </div>
        )}
      </FormField>
      <FormField id="spotify-api-url" label="API base URL" error={e?.api_base_url?.message}>
        {(a) => <Input type="url" inputMode="url" spellCheck={false} {...a} {...register("options.spotify.api_base_url")} />}
      </FormField>
      <FormField id="spotify-token-url" label="Token URL" error={e?.token_url?.message}>
        {(a) => <Input type="url" inputMode="url" spellCheck={false} {...a} {...register("options.spotify.token_url")} />}
      </FormField>
      <FormField id="spotify-embed-url" label="Public pages URL" hint="Where the no-setup track lists are read (open.spotify.com)." error={e?.embed_base_url?.message}>
        {(a) => <Input type="url" inputMode="url" spellCheck={false} {...a} {...register("options.spotify.embed_base_url")} />}
      </FormField>
      <FormField id="spotify-backend" label="Find the audio on" className="sm:col-span-2" error={e?.search_backend?.message}>
        {(a) => (
          <Controller
            control={control}
            name="options.spotify.search_backend"
            render={({ field }) => (
              <Select value={field.value} onValueChange={field.onChange}>
                <SelectTrigger ref={field.ref} {...a}>
                  <SelectValue />
                </SelectTrigger>
                <SelectContent>
                  {Object.entries(backends).map(([k, label]) => (
                    <SelectItem key={k} value={k}>
                      {label}
                    </SelectItem>
                  ))}
                </SelectContent>
              </Select>
            )}
          />
        )}
      </FormField>
      <div className="grid gap-2 sm:col-span-2">
        <div>
          <Button variant="outline" onClick={runTest} disabled={test.isPending}>
            {test.isPending ? <Loader2Icon className="animate-spin" aria-hidden /> : <PlugZapIcon aria-hidden />}
            Test connection
          </Button>
        </div>
        <div role="status" data-testid="spotify-test-result">
          {test.data && !test.isPending && (
            <Alert variant={test.data.ok ? "success" : test.data.reason === "no_credentials" ? "info" : "destructive"} title={testTitles[test.data.reason]}>
              {test.data.message}
            </Alert>
          )}
        </div>
      </div>
      <SpotifyAccount hasClientId={clientIdSet} />
      <ConfirmDialog
        open={confirm}
        onOpenChange={setConfirm}
        title="Remove the Spotify client secret?"
        description="Tracks, albums and playlists are then read from Spotify's public pages, without ISRCs, until new credentials are saved."
        confirmLabel="Remove secret"
        onConfirm={onRemoveSecret}
      />
    </fieldset>
  );
}
