import { CookieIcon, Trash2Icon, UploadIcon } from "lucide-react";
import type * as React from "react";
import { useId, useRef, useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { FormField } from "@/components/ui/form-field";
import { Textarea } from "@/components/ui/textarea";
import type { Schemas } from "@/lib/api/client";
import { formatDateTime, formatRelative } from "@/lib/format";

/**
 * A platform's cookies: what is stored (never the cookies themselves), its
 * expiry warning, and a new cookies.txt from a file or pasted. A 422 that
 * names the line shows under the field.
 */
export function CookiesField({
  idPrefix,
  settings,
  value,
  onChange,
  error,
  onRemove,
  removing,
  inputRef,
}: {
  idPrefix: string;
  settings: Schemas["PlatformSettings"];
  value: string;
  onChange: (text: string) => void;
  error?: string;
  onRemove: () => void;
  removing?: boolean;
  inputRef?: React.Ref<HTMLTextAreaElement>;
}) {
  const [fileName, setFileName] = useState<string | null>(null);
  const [confirm, setConfirm] = useState(false);
  const fileRef = useRef<HTMLInputElement>(null);
  const fileId = useId();
  const expired = settings.cookies_expire_at != null && new Date(settings.cookies_expire_at).getTime() < Date.now();
  return (
    <fieldset className="min-w-0 grid gap-3">
      <legend className="mb-1 flex items-center gap-2 text-sm font-medium">
        <CookieIcon className="size-4" aria-hidden /> Cookies
      </legend>
      <div className="flex flex-wrap items-center gap-2 text-sm" data-testid="cookies-status">
        {settings.cookies_set ? (
          <>
            <Badge variant={expired ? "destructive" : "success"}>{expired ? "Cookies expired" : "Cookies stored"}</Badge>
            {settings.cookies_expire_at && (
              <span className="text-muted-foreground">
                session cookie {expired ? "expired" : "expires"}{" "}
                <time dateTime={settings.cookies_expire_at} title={formatDateTime(settings.cookies_expire_at)}>
                  {formatRelative(settings.cookies_expire_at)}
                </time>
              </span>
            )}
            <Button variant="outline" size="sm" className="ml-auto" onClick={() => setConfirm(true)} disabled={removing}>
              <Trash2Icon aria-hidden /> Remove cookies
            </Button>
          </>
        ) : (
          <span className="text-muted-foreground">No cookies stored. Some videos need a signed-in account (age or bot checks, private posts).</span>
        )}
      </div>
      {settings.cookies_warning && <Alert variant="warning">{settings.cookies_warning}</Alert>}
      <div className="flex flex-wrap items-center gap-2">
        <input
          ref={fileRef}
          id={fileId}
          type="file"
          accept=".txt,text/plain"
          className="sr-only"
          tabIndex={-1}
          aria-hidden
          onChange={async (e) => {
            const f = e.target.files?.[0];
            if (!f) return;
            setFileName(f.name);
            onChange(await f.text());
            e.target.value = "";
          }}
        />
        <Button variant="outline" size="sm" onClick={() => fileRef.current?.click()}>
          <UploadIcon aria-hidden /> Load cookies.txt…
        </Button>
        {fileName && value && <span className="text-xs text-muted-foreground">Loaded {fileName}; save to store it.</span>}
      </div>
      <FormField
        id={`${idPrefix}-cookies`}
        label={settings.cookies_set ? "Replace with a new cookies.txt" : "cookies.txt"}
        hint="Netscape format, exported while signed in (e.g. with “Get cookies.txt LOCALLY”). Stored encrypted and never shown again; leave empty to keep what is stored."
        error={error}
      >
        {(a) => (
          <Textarea
            rows={3}
            spellCheck={false}
            autoComplete="off"
            className="font-mono text-xs"
            placeholder="# Netscape HTTP Cookie File"
            ref={inputRef}
            value={value}
            onChange={(e) => {
              setFileName(null);
              onChange(e.target.value);
            }}
            {...a}
          />
        )}
      </FormField>
      <ConfirmDialog
        open={confirm}
        onOpenChange={setConfirm}
        title="Remove the stored cookies?"
        description="Downloads that need a signed-in account will fail until new cookies are saved."
        confirmLabel="Remove cookies"
        onConfirm={onRemove}
      />
    </fieldset>
  );
}
