import { PlatformIcon } from "@/components/platform-icon";
import { Skeleton } from "@/components/ui/skeleton";
import { Tabs, TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs";
import { usePlatforms } from "@/lib/platforms";
import { useConfirmLeave } from "@/lib/unsaved-changes";
import { useSearchState } from "@/lib/use-search-state";
import { usePlatformSettings } from "@/features/settings/api/list-platform-settings";
import { PlatformCard } from "@/features/settings/components/platform-card";

const defaults = { platform: "" };

/**
 * One platform at a time (YouTube, Spotify, Instagram, Other sites, in the
 * API's order), picked above its card: one Save on the page. Switching with
 * unsaved edits asks first.
 */
export function PlatformCards({ multiNode = false }: { multiNode?: boolean }) {
  const { data, isPending } = usePlatformSettings();
  const labels = usePlatforms();
  const [state, setState] = useSearchState(defaults);
  const confirmLeave = useConfirmLeave();
  if (isPending || !data) {
    return (
      <div className="grid gap-4" aria-busy="true" aria-label="Loading platform settings">
        <Skeleton className="h-96" />
      </div>
    );
  }
  const current = data.find((s) => s.platform === state.platform) ?? data[0];
  if (!current) return null;
  return (
    <div className="grid grid-cols-1 gap-4">
      <Tabs value={current.platform} className="grid grid-cols-1 gap-4" onValueChange={(v) => confirmLeave() && setState({ platform: v })}>
        <div className="-mx-1 overflow-x-auto px-1 pb-1">
          <TabsList aria-label="Platforms">
            {data.map((s) => (
              <TabsTrigger key={s.platform} value={s.platform}>
                <PlatformIcon platform={s.platform} decorative /> {labels.find((l) => l.name === s.platform)?.label ?? s.platform}
              </TabsTrigger>
            ))}
          </TabsList>
        </div>
        {/* One panel per tab (each trigger's aria-controls names one); only the chosen one has its card. */}
        {data.map((s) => (
          <TabsContent key={s.platform} value={s.platform}>
            {s.platform === current.platform && <PlatformCard settings={s} multiNode={multiNode} />}
          </TabsContent>
        ))}
      </Tabs>
    </div>
  );
}
