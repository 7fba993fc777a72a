import { CheckIcon, CopyIcon } from "lucide-react";
import { useEffect, useState } from "react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { copyText } from "@/lib/copy";
import { cn } from "@/lib/utils";

/** A copy button that says "Copied" for a moment (announced to screen readers). */
export function CopyButton({ value, label, className }: { value: string; label: string; className?: string }) {
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    if (!copied) return;
    const t = setTimeout(() => setCopied(false), 2000);
    return () => clearTimeout(t);
  }, [copied]);
  return (
    <Button
      variant="outline"
      size="sm"
      className={className}
      aria-label={copied ? `${label}: copied` : label}
      onClick={async () => {
        if (await copyText(value)) setCopied(true);
        else toast.error("Could not copy", { description: "Select the text and copy it by hand." });
      }}
    >
      {copied ? <CheckIcon aria-hidden /> : <CopyIcon aria-hidden />}
      <span aria-live="polite">{copied ? "Copied" : "Copy"}</span>
    </Button>
  );
}

/**
 * A value to copy (a new key, a secret, a command), shown whole in a
 * monospace block that selects entirely on focus.
 */
export function CopyField({
  id,
  label,
  value,
  multiline,
  className,
  testId,
  copyLabel = `Copy ${label}`,
}: {
  id: string;
  label: string;
  copyLabel?: string;
  value: string;
  multiline?: boolean;
  className?: string;
  testId?: string;
}) {
  return (
    <div className={cn("grid gap-1.5", className)}>
      <div className="flex items-center justify-between gap-2">
        <label htmlFor={id} className="text-sm font-medium">
          {label}
        </label>
        <CopyButton value={value} label={copyLabel} />
      </div>
      <textarea
        id={id}
        readOnly
        value={value}
        rows={multiline ? 3 : 2}
        spellCheck={false}
        data-testid={testId}
        onFocus={(e) => e.currentTarget.select()}
        className="field-sizing-content w-full resize-none rounded-md border border-input bg-muted px-3 py-2 font-mono text-xs break-all focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-ring"
      />
    </div>
  );
}
