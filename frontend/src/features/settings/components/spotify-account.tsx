import { Link2Icon, Loader2Icon, UnplugIcon } from "lucide-react";
import { useEffect, useState } from "react";
import { toast } from "sonner";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { CopyButton } from "@/components/ui/copy-field";
import { Skeleton } from "@/components/ui/skeleton";
import { notifyError } from "@/lib/api/errors";
import { formatDateTime } from "@/lib/format";
import { useAuthorizeSpotifyAccount } from "@/features/settings/api/authorize-spotify-account";
import { useDisconnectSpotifyAccount } from "@/features/settings/api/disconnect-spotify-account";
import { useSpotifyAccount } from "@/features/settings/api/get-spotify-account";

/**
 * Says once how the Spotify authorization went: the callback sends the
 * browser back with ?spotify_account=connected (or =error&message=…),
 * which is then taken out of the address.
 */
function useCallbackOutcome() {
  useEffect(() => {
    const url = new URL(window.location.href);
    const outcome = url.searchParams.get("spotify_account");
    if (!outcome) return;
    if (outcome === "connected") toast.success("Spotify account connected");
    else toast.error("Spotify account not connected", { description: url.searchParams.get("message") ?? undefined });
    url.searchParams.delete("spotify_account");
    url.searchParams.delete("message");
    window.history.replaceState(window.history.state, "", url.pathname + url.search + url.hash);
  }, []);
}

/**
 * The optional connected account: who it is, how to connect one (the
 * redirect URI to register, then Spotify's consent page) and how to let it
 * go. A connected account reads the playlists it owns or collaborates on,
 * private ones included.
 */
export function SpotifyAccount({ hasClientId }: { hasClientId: boolean }) {
  useCallbackOutcome();
  const account = useSpotifyAccount();
  const authorize = useAuthorizeSpotifyAccount();
  const disconnect = useDisconnectSpotifyAccount();
  const [confirm, setConfirm] = useState(false);

  const connect = async () => {
    try {
      const { authorize_url } = await authorize.mutateAsync();
      window.location.assign(authorize_url);
    } catch (err) {
      notifyError(err);
    }
  };

  if (account.isPending || !account.data) {
    return <Skeleton className="h-24" aria-label="Loading the Spotify account" />;
  }
  const a = account.data;
  return (
    <section aria-labelledby="spotify-account-title" className="grid gap-3 rounded-md border p-4 sm:col-span-2">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="grid gap-1">
          <h3 id="spotify-account-title" className="text-sm font-medium">
            Your Spotify account <span className="font-normal text-muted-foreground">(optional)</span>
          </h3>
          <p className="text-sm text-muted-foreground" data-testid="spotify-account-status">
            {a.connected
              ? `Connected as ${a.display_name ?? a.user_id}${a.connected_at ? ` since ${formatDateTime(a.connected_at)}` : ""}: playlists it owns or collaborates on — private ones too — are read as that account.`
              : "Not connected. Connect the account whose private or collaborative playlists you want to download."}
          </p>
        </div>
        {a.connected ? (
          <Button variant="outline" onClick={() => setConfirm(true)} disabled={disconnect.isPending}>
            <UnplugIcon aria-hidden /> Disconnect
          </Button>
        ) : (
          <Button onClick={connect} disabled={!hasClientId || authorize.isPending}>
            {authorize.isPending ? <Loader2Icon className="animate-spin" aria-hidden /> : <Link2Icon aria-hidden />}
            Connect Spotify account
          </Button>
        )}
      </div>
      {a.client_mismatch && (
        <Alert variant="warning" title="Connect the account again">
          The app's client id changed since this account was connected; its access belongs to the old app.
        </Alert>
      )}
      {!a.connected && (
        <div className="grid gap-1 text-sm">
          <p className="text-muted-foreground">
            {hasClientId
              ? "First add this Redirect URI to your app at developer.spotify.com (Settings → Redirect URIs):"
              : "Needs your app's client id (saved above; the secret is optional), with this Redirect URI added to the app at developer.spotify.com:"}
          </p>
          <div className="flex flex-wrap items-center gap-2">
            <code className="break-all rounded bg-muted px-2 py-1 text-xs" data-testid="spotify-redirect-uri">
              {a.redirect_uri}
            </code>
            <CopyButton value={a.redirect_uri} label="Copy the redirect URI" />
          </div>
        </div>
      )}
      <ConfirmDialog
        open={confirm}
        onOpenChange={setConfirm}
        title="Disconnect the Spotify account?"
        description="Its private and collaborative playlists can no longer be read. Spotify lists Downlink under the account's apps until it is removed at spotify.com."
        confirmLabel="Disconnect"
        onConfirm={async () => {
          try {
            await disconnect.mutateAsync();
            toast.success("Spotify account disconnected");
          } catch (err) {
            notifyError(err);
          }
        }}
      />
    </section>
  );
}
