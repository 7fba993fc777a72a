import { LinkIcon } from "lucide-react";
import type * as React from "react";
import { PlatformIcon, platformLabels } from "@/components/platform-icon";
import { Input } from "@/components/ui/input";
import { cn } from "@/lib/utils";
import { detectPlatform } from "@/features/downloads/utils/detect-platform";

/**
 * The URL input. It shows which platform the text belongs to as you type
 * (the same rule the server applies), with the platform's mark inside.
 */
export function UrlBox({ value, className, ...props }: Omit<React.ComponentProps<"input">, "value"> & { value: string }) {
  const platform = detectPlatform(value);
  return (
    <div className="relative">
      <span className="pointer-events-none absolute inset-y-0 left-3 flex items-center" data-testid="url-platform" data-platform={platform ?? ""}>
        {platform ? <PlatformIcon platform={platform} className="size-5" /> : <LinkIcon className="size-5 text-muted-foreground" aria-hidden />}
      </span>
      <Input
        type="text"
        inputMode="url"
        autoComplete="off"
        spellCheck={false}
        placeholder="Paste a link from YouTube, Spotify, Instagram…"
        className={cn("h-11 pr-28 pl-11 text-base", className)}
        value={value}
        {...props}
      />
      {platform && (
        <span className="absolute inset-y-0 right-3 flex items-center text-xs font-medium text-muted-foreground" aria-live="polite">
          {platformLabels[platform]}
        </span>
      )}
    </div>
  );
}
