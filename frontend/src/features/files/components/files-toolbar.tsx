import { LayoutGridIcon, ListIcon, SearchIcon } from "lucide-react";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { Button } from "@/components/ui/button";
import type { Schemas } from "@/lib/api/client";
import { usePlatforms } from "@/lib/platforms";

export type FileFilters = {
  q: string;
  platform: "all" | Schemas["Platform"];
  type: "all" | Schemas["FileKind"];
  sort: "-created_at" | "created_at" | "name" | "-name" | "-size" | "size";
  view: "grid" | "list";
};

export const defaultFileFilters: FileFilters = { q: "", platform: "all", type: "all", sort: "-created_at", view: "grid" };

export const sorts: Record<FileFilters["sort"], string> = {
  "-created_at": "Newest first",
  created_at: "Oldest first",
  name: "Name A–Z",
  "-name": "Name Z–A",
  "-size": "Largest first",
  size: "Smallest first",
};
const kinds: Record<Schemas["FileKind"], string> = { video: "Video", audio: "Audio", image: "Images", subtitle: "Subtitles", other: "Other" };

export function FilesToolbar({ value, onChange }: { value: FileFilters; onChange: (f: FileFilters) => void }) {
  const set = <K extends keyof FileFilters>(k: K, v: FileFilters[K]) => onChange({ ...value, [k]: v });
  const platforms = usePlatforms();
  return (
    <div className="flex flex-wrap items-center gap-2" role="search" aria-label="Filter files">
      <div className="relative min-w-48 flex-1">
        <Label htmlFor="files-q" className="sr-only">
          Search files
        </Label>
        <SearchIcon className="pointer-events-none absolute top-2.5 left-3 size-4 text-muted-foreground" aria-hidden />
        <Input id="files-q" type="search" placeholder="Search files" className="pl-9" value={value.q} onChange={(e) => set("q", e.target.value)} />
      </div>
      <Select value={value.platform} onValueChange={(v) => set("platform", v as FileFilters["platform"])}>
        <SelectTrigger aria-label="Platform" className="w-[calc(50%-0.25rem)] sm:w-40">
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
      <Select value={value.type} onValueChange={(v) => set("type", v as FileFilters["type"])}>
        <SelectTrigger aria-label="Type" className="w-[calc(50%-0.25rem)] sm:w-36">
          <SelectValue />
        </SelectTrigger>
        <SelectContent>
          <SelectItem value="all">All types</SelectItem>
          {Object.entries(kinds).map(([k, l]) => (
            <SelectItem key={k} value={k}>
              {l}
            </SelectItem>
          ))}
        </SelectContent>
      </Select>
      <Select value={value.sort} onValueChange={(v) => set("sort", v as FileFilters["sort"])}>
        <SelectTrigger aria-label="Sort" className="w-[calc(50%-0.25rem)] sm:w-40">
          <SelectValue />
        </SelectTrigger>
        <SelectContent>
          {Object.entries(sorts).map(([k, l]) => (
            <SelectItem key={k} value={k}>
              {l}
            </SelectItem>
          ))}
        </SelectContent>
      </Select>
      <div role="group" aria-label="View" className="inline-flex h-9 items-center rounded-lg bg-muted p-1">
        {(["grid", "list"] as const).map((v) => {
          const Icon = v === "grid" ? LayoutGridIcon : ListIcon;
          return (
            <Button
              key={v}
              variant="ghost"
              size="sm"
              aria-pressed={value.view === v}
              aria-label={v === "grid" ? "Grid view" : "List view"}
              className="h-7 px-2.5 aria-pressed:bg-background aria-pressed:shadow-xs"
              onClick={() => set("view", v)}
            >
              <Icon aria-hidden />
            </Button>
          );
        })}
      </div>
    </div>
  );
}

/** The values each filter may take in the URL. */
export const allowedFileFilters = {
  type: ["all", ...Object.keys(kinds)],
  sort: Object.keys(sorts),
  view: ["grid", "list"],
};
