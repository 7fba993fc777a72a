/** How a key's expiry is picked in the form. `default`: the server's default (create); `keep`: unchanged (edit). */
export type ExpiryChoice = "default" | "keep" | "7" | "30" | "90" | "365" | "never" | "custom";

export const expiryPresets: { value: ExpiryChoice; label: string }[] = [
  { value: "7", label: "7 days" },
  { value: "30", label: "30 days" },
  { value: "90", label: "90 days" },
  { value: "365", label: "1 year" },
  { value: "never", label: "Never" },
  { value: "custom", label: "On a date…" },
];

/** The end of a local calendar day ("2027-01-31" → 23:59:59.999 that day), as an instant. */
export function endOfLocalDay(date: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return null;
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]), 23, 59, 59, 999);
  return Number.isNaN(d.getTime()) ? null : d;
}

/**
 * The `expires_at` to send: an ISO time, `null` for never, or `undefined`
 * to leave it out (the server default, or unchanged).
 */
export function expiryToRequest(choice: ExpiryChoice, date: string, now = new Date()): string | null | undefined {
  switch (choice) {
    case "default":
    case "keep":
      return undefined;
    case "never":
      return null;
    case "custom":
      return endOfLocalDay(date)?.toISOString();
    default:
      return new Date(now.getTime() + Number(choice) * 86_400_000).toISOString();
  }
}

/** "2027-01-31" for a date input's `min`: tomorrow in local time. */
export function tomorrowInput(now = new Date()): string {
  const t = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${t.getFullYear()}-${pad(t.getMonth() + 1)}-${pad(t.getDate())}`;
}
