import { toast } from "sonner";
import { Label } from "@/components/ui/label";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import type { Schemas } from "@/lib/api/client";
import { useUpdateYtdlpSettings } from "@/features/ytdlp/api/update-ytdlp-settings";

type Settings = Schemas["YtdlpSettings"];

const modes: { value: Settings["mode"]; label: string }[] = [
  { value: "off", label: "Off — never look by itself" },
  { value: "notify", label: "Notify — check daily, show what is new" },
  { value: "auto", label: "Automatic — check daily and install" },
];

const channels: { value: Settings["channel"]; label: string }[] = [
  { value: "stable", label: "Stable" },
  { value: "nightly", label: "Nightly" },
];

/** The "yt-dlp updates" setting, saved as soon as it changes. */
export function YtdlpSettings({ settings }: { settings: Settings }) {
  const update = useUpdateYtdlpSettings();
  const save = (next: Settings) =>
    update.mutate(next, { onSuccess: (s) => toast.success(`yt-dlp updates: ${s.mode}, ${s.channel} channel`) });
  return (
    <div className="flex flex-wrap gap-4">
      <div className="grid gap-1.5">
        <Label htmlFor="ytdlp-mode">Updates</Label>
        <Select value={settings.mode} onValueChange={(v) => save({ ...settings, mode: v as Settings["mode"] })} disabled={update.isPending}>
          <SelectTrigger id="ytdlp-mode" className="w-72">
            <SelectValue />
          </SelectTrigger>
          <SelectContent>
            {modes.map((m) => (
              <SelectItem key={m.value} value={m.value}>
                {m.label}
              </SelectItem>
            ))}
          </SelectContent>
        </Select>
      </div>
      <div className="grid gap-1.5">
        <Label htmlFor="ytdlp-channel">Channel</Label>
        <Select value={settings.channel} onValueChange={(v) => save({ ...settings, channel: v as Settings["channel"] })} disabled={update.isPending}>
          <SelectTrigger id="ytdlp-channel" className="w-36">
            <SelectValue />
          </SelectTrigger>
          <SelectContent>
            {channels.map((c) => (
              <SelectItem key={c.value} value={c.value}>
                {c.label}
              </SelectItem>
            ))}
          </SelectContent>
        </Select>
      </div>
    </div>
  );
}
