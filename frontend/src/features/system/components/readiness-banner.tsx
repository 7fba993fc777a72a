import { AlertTriangleIcon, OctagonAlertIcon } from "lucide-react";
import { Link } from "wouter";
import { useSystem } from "@/features/system/api/get-system";

/** Shown on every page while Downlink is not ready or needs attention (e.g. an outdated yt-dlp). */
export function ReadinessBanner() {
  const { data } = useSystem();
  if (!data) return null;
  const problems = data.problems ?? [];
  const warnings = [...(data.warnings ?? [])];
  if (data.ytdlp.outdated && !warnings.some((w) => /yt-dlp/i.test(w))) {
    warnings.push(`yt-dlp ${data.ytdlp.version ?? ""} is older than ${data.ytdlp.safe_version}; update it.`);
  }
  const solver = data.youtube_solver;
  if (solver && solver.status !== "ready" && solver.status !== "unknown" && !warnings.some((w) => /challenge solver/i.test(w))) {
    warnings.push(`YouTube challenge solver ${solver.status}: ${solver.message}`);
  }
  if (data.ready && problems.length === 0 && warnings.length === 0) return null;
  const severe = !data.ready || problems.length > 0;
  const Icon = severe ? OctagonAlertIcon : AlertTriangleIcon;
  return (
    <div
      role={severe ? "alert" : "status"}
      className={
        severe
          ? "border-b border-destructive/40 bg-destructive/10 px-4 py-2 text-sm text-destructive"
          : "border-b border-warning/40 bg-warning/10 px-4 py-2 text-sm text-foreground"
      }
    >
      <div className="mx-auto flex max-w-7xl items-start gap-2">
        <Icon className={severe ? "mt-0.5 size-4 shrink-0" : "mt-0.5 size-4 shrink-0 text-warning"} aria-hidden />
        <div className="min-w-0 flex-1">
          <p className="font-medium">{severe ? "Downlink is not ready" : "Downlink needs attention"}</p>
          <ul className="list-disc pl-4">
            {[...problems, ...warnings].map((m) => (
              <li key={m}>{m}</li>
            ))}
          </ul>
        </div>
        <Link href="/system" className="shrink-0 underline underline-offset-2">
          Details
        </Link>
      </div>
    </div>
  );
}
