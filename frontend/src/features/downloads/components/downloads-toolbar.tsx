import { SearchIcon } from "lucide-react";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { statusLabels } from "@/features/downloads/components/status-badge";
import { usePlatforms } from "@/lib/platforms";
import { type DownloadFilters, sorts } from "@/features/downloads/utils/filters";

export function DownloadsToolbar({ value, onChange }: { value: DownloadFilters; onChange: (f: DownloadFilters) => void }) {
  const set = <K extends keyof DownloadFilters>(k: K, v: DownloadFilters[K]) => onChange({ ...value, [k]: v });
  const platforms = usePlatforms();
  return (
    <div className="grid gap-2 sm:grid-cols-2 lg:grid-cols-[1fr_11rem_11rem_11rem]" role="search" aria-label="Filter downloads">
      <div className="relative">
        <Label htmlFor="dl-q" className="sr-only">
          Search downloads
        </Label>
        <SearchIcon className="pointer-events-none absolute top-2.5 left-3 size-4 text-muted-foreground" aria-hidden />
        <Input id="dl-q" type="search" placeholder="Search title or URL" className="pl-9" value={value.q} onChange={(e) => set("q", e.target.value)} />
      </div>
      <Select value={value.status} onValueChange={(v) => set("status", v as DownloadFilters["status"])}>
        <SelectTrigger aria-label="Status">
          <SelectValue />
        </SelectTrigger>
        <SelectContent>
          <SelectItem value="all">All statuses</SelectItem>
          <SelectItem value="active">Active</SelectItem>
          {Object.entries(statusLabels).map(([k, label]) => (
            <SelectItem key={k} value={k}>
              {label}
            </SelectItem>
          ))}
        </SelectContent>
      </Select>
      <Select value={value.platform} onValueChange={(v) => set("platform", v as DownloadFilters["platform"])}>
        <SelectTrigger aria-label="Platform">
          <SelectValue />
        </SelectTrigger>
        <SelectContent>
          <SelectItem value="all">All platforms</SelectItem>
          {platforms.map((p) => (
            <SelectItem key={p.name} value={p.name}>
              {p.label}
            </SelectItem>
          ))}
        </SelectContent>
      </Select>
      <Select value={value.sort} onValueChange={(v) => set("sort", v as DownloadFilters["sort"])}>
        <SelectTrigger aria-label="Sort">
          <SelectValue />
        </SelectTrigger>
        <SelectContent>
          {Object.entries(sorts).map(([k, label]) => (
            <SelectItem key={k} value={k}>
              {label}
            </SelectItem>
          ))}
        </SelectContent>
      </Select>
    </div>
  );
}
