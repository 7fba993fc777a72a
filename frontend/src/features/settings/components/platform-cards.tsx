import { Skeleton } from "@/components/ui/skeleton";
import { usePlatformSettings } from "@/features/settings/api/list-platform-settings";
import { PlatformCard } from "@/features/settings/components/platform-card";

/** One card per platform, in the API's order (YouTube, Spotify, Instagram, other sites). */
export function PlatformCards() {
  const { data, isPending } = usePlatformSettings();
  if (isPending || !data) {
    return (
      <div className="grid gap-4" aria-busy="true" aria-label="Loading platform settings">
        {[0, 1].map((i) => (
          <Skeleton key={i} className="h-96" />
        ))}
      </div>
    );
  }
  return (
    <div className="grid grid-cols-1 gap-4">
      {data.map((s) => (
        <PlatformCard key={s.platform} settings={s} />
      ))}
    </div>
  );
}
