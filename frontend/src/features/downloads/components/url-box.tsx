import { LinkIcon } from "lucide-react";
import type * as React from "react";
import { PlatformIcon } from "@/components/platform-icon";
import { detectPlatform, usePlatforms } from "@/lib/platforms";
import { cn } from "@/lib/utils";
import { parseUrls } from "@/features/downloads/utils/parse-urls";

/**
 * The URL box. It shows which platform the text belongs to as you type
 * (the same rule the server applies), with the platform's mark inside.
 * It takes several links too, one per line (pasted from a list): it grows
 * to show them and says how many. Enter submits; Shift+Enter adds a line.
 */
export function UrlBox({
  value,
  className,
  onKeyDown,
  ...props
}: Omit<React.ComponentProps<"textarea">, "value"> & { value: string }) {
  const platforms = usePlatforms();
  const urls = parseUrls(value);
  const many = urls.length > 1;
  const platform = many ? null : detectPlatform(value, platforms);
  const named = platforms.filter((p) => p.hosts.length > 0).map((p) => p.label);
  const label = platforms.find((p) => p.name === platform)?.label ?? platform;
  const lines = value.split(/\r\n|\r|\n/).length;
  return (
    <div className="relative">
      <span className="pointer-events-none absolute top-0 left-3 flex h-11 items-center" data-testid="url-platform" data-platform={platform ?? ""}>
        {platform ? <PlatformIcon platform={platform} className="size-5" /> : <LinkIcon className="size-5 text-muted-foreground" aria-hidden />}
      </span>
      <textarea
        inputMode="url"
        autoComplete="off"
        spellCheck={false}
        rows={Math.min(lines, 8)}
        placeholder={named.length > 0 ? `Paste a link from ${named.join(", ")}…` : "Paste a link…"}
        className={cn(
          "flex min-h-11 w-full min-w-0 resize-none rounded-md border border-input bg-background py-2.5 pr-28 pl-11 text-base leading-6 shadow-xs transition-colors placeholder:text-muted-foreground focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-ring disabled:cursor-not-allowed disabled:opacity-50 aria-invalid:border-destructive",
          className,
        )}
        value={value}
        onKeyDown={(e) => {
          onKeyDown?.(e);
          if (e.defaultPrevented || e.key !== "Enter" || e.shiftKey || e.nativeEvent.isComposing) return;
          e.preventDefault();
          e.currentTarget.form?.requestSubmit();
        }}
        {...props}
      />
      {(platform || many) && (
        <span className="absolute top-0 right-3 flex h-11 items-center text-xs font-medium text-muted-foreground" aria-live="polite">
          {many ? `${urls.length} links` : label}
        </span>
      )}
    </div>
  );
}
