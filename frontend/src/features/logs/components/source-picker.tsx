import { ChevronDownIcon } from "lucide-react";
import { Button } from "@/components/ui/button";
import { Checkbox } from "@/components/ui/checkbox";
import { Label } from "@/components/ui/label";
import { Popover, PopoverContent, PopoverTrigger } from "@/components/ui/popover";
import { type LogSource, sources } from "@/features/logs/utils/log-filters";

/** Pick any number of log sources (up to the API's eight); none means all. */
export function SourcePicker({ value, onChange }: { value: LogSource[]; onChange: (v: LogSource[]) => void }) {
  const label = value.length === 0 ? "All sources" : value.length <= 2 ? value.join(", ") : `${value.length} sources`;
  return (
    <Popover>
      <PopoverTrigger asChild>
        <Button variant="outline" className="w-full justify-between font-normal" aria-label={`Sources: ${label}`}>
          <span className="truncate">{label}</span>
          <ChevronDownIcon className="opacity-60" aria-hidden />
        </Button>
      </PopoverTrigger>
      <PopoverContent align="start" className="w-64">
        <fieldset>
          <legend className="mb-2 text-sm font-medium">Sources</legend>
          <div className="grid grid-cols-2 gap-x-3 gap-y-2">
            {sources.map((s) => {
              const checked = value.includes(s);
              return (
                <div key={s} className="flex items-center gap-2">
                  <Checkbox
                    id={`src-${s}`}
                    checked={checked}
                    disabled={!checked && value.length >= 8}
                    onCheckedChange={(on) => onChange(on === true ? [...value, s] : value.filter((x) => x !== s))}
                  />
                  <Label htmlFor={`src-${s}`} className="font-normal">
                    {s}
                  </Label>
                </div>
              );
            })}
          </div>
        </fieldset>
        {value.length > 0 && (
          <Button variant="ghost" size="sm" className="mt-3" onClick={() => onChange([])}>
            Show all sources
          </Button>
        )}
      </PopoverContent>
    </Popover>
  );
}
