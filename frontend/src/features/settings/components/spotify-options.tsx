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
import type { PlatformValues, SearchBackend } from "@/features/settings/utils/platform-form";

const backends: Record<SearchBackend, string> = {
  auto: "Automatic (ISRC, then YouTube Music, then YouTube)",
  youtube_music: "YouTube Music songs",
  youtube: "YouTube videos",
};

/**
 * Spotify Web API credentials (the secret is write-only: only whether one is
 * stored is known) and where tracks are looked for, with a connection test
 * that tries what is in the form without saving it.
 */
export function SpotifyOptions({
  control,
  register,
  errors,
  getValues,
  setError,
  secretSet,
  onRemoveSecret,
}: {
  control: Control<PlatformValues>;
  register: UseFormRegister<PlatformValues>;
  errors: FieldErrors<PlatformValues>;
  getValues: UseFormGetValues<PlatformValues>;
  setError: UseFormSetError<PlatformValues>;
  secretSet: boolean;
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
      <legend className="mb-2 text-sm font-medium">Spotify Web API</legend>
      <FormField id="spotify-client-id" label="Client ID" hint="From developer.spotify.com; without it, single tracks fall back to their title only." error={e?.client_id?.message}>
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
            <Alert variant={test.data.ok ? "success" : "destructive"} title={test.data.ok ? "Connected" : "Connection failed"}>
              {test.data.message}
            </Alert>
          )}
        </div>
      </div>
      <ConfirmDialog
        open={confirm}
        onOpenChange={setConfirm}
        title="Remove the Spotify client secret?"
        description="Albums and playlists cannot be read from Spotify until new credentials are saved."
        confirmLabel="Remove secret"
        onConfirm={onRemoveSecret}
      />
    </fieldset>
  );
}
