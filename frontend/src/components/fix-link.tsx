import { SettingsIcon } from "lucide-react";
import { Link } from "wouter";
import type { Schemas } from "@/lib/api/client";
import type { Problem } from "@/lib/api/problem";

export type ProblemFix = Schemas["ProblemFix"];

/** The setting a refusal names (the problem's `fix` member), if any. */
export function fixOf(p: Problem | undefined): ProblemFix | null {
  const f = p?.fix as ProblemFix | undefined;
  return f && typeof f.href === "string" && f.href.startsWith("/") ? f : null;
}

/** For admins, a link to the setting that would allow what was refused. */
export function FixLink({ fix, isAdmin }: { fix: ProblemFix | null; isAdmin: boolean }) {
  if (!fix || !isAdmin) return null;
  return (
    <Link href={fix.href} className="inline-flex items-center gap-1 text-xs font-medium text-primary underline underline-offset-2" data-testid="fix-link">
      <SettingsIcon className="size-3.5" aria-hidden /> Change “{fix.label}” in Settings
    </Link>
  );
}
