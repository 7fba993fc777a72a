import { GlobeIcon } from "lucide-react";
import type * as React from "react";
import { type Platform, usePlatformLabel } from "@/lib/platforms";
import { cn } from "@/lib/utils";
type IconProps = React.SVGProps<SVGSVGElement>;

// Simple line marks in lucide's style (lucide ships no brand logos).
function Svg(props: IconProps) {
  return (
    <svg viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth={2} strokeLinecap="round" strokeLinejoin="round" {...props} />
  );
}
function YoutubeMark(p: IconProps) {
  return (
    <Svg {...p}>
      <rect x="2" y="5" width="20" height="14" rx="4" />
      <path d="m10 9 5 3-5 3z" fill="currentColor" />
    </Svg>
  );
}
function InstagramMark(p: IconProps) {
  return (
    <Svg {...p}>
      <rect x="3" y="3" width="18" height="18" rx="5" />
      <circle cx="12" cy="12" r="4" />
      <circle cx="17.5" cy="6.5" r="0.5" fill="currentColor" />
    </Svg>
  );
}
function SpotifyMark(p: IconProps) {
  return (
    <Svg {...p}>
      <circle cx="12" cy="12" r="10" />
      <path d="M7 9.5c3.5-1 7.5-.7 10.5 1M7.5 12.8c3-.8 6.2-.5 8.7.9M8 16c2.4-.6 4.8-.4 6.8.7" />
    </Svg>
  );
}

// The marks and colours of the platforms that have one; any other (a new
// platform, other sites) shows a globe.
const colors: Partial<Record<Platform, string>> = {
  youtube: "text-[oklch(0.58_0.22_27)]",
  spotify: "text-[oklch(0.62_0.17_150)]",
  instagram: "text-[oklch(0.6_0.2_350)]",
  generic: "text-muted-foreground",
};

const marks: Partial<Record<Platform, (p: IconProps) => React.JSX.Element>> = {
  youtube: YoutubeMark,
  spotify: SpotifyMark,
  instagram: InstagramMark,
};

/** The platform's mark, labelled (the registry's label) for screen readers unless `decorative`. */
export function PlatformIcon({ platform, className, decorative }: { platform: Platform; className?: string; decorative?: boolean }) {
  const label = usePlatformLabel(platform);
  const Icon = marks[platform] ?? GlobeIcon;
  const a11y = decorative ? { "aria-hidden": true as const } : { role: "img", "aria-label": label };
  return <Icon className={cn("size-4 shrink-0", colors[platform] ?? "text-muted-foreground", className)} {...a11y} />;
}
