import { useEffect, useRef, useState } from "react";
import { Input } from "@/components/ui/input";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";

export type Unit = { label: string; factor: number };

export const byteUnits: Unit[] = [
  { label: "MB", factor: 1024 ** 2 },
  { label: "GB", factor: 1024 ** 3 },
  { label: "TB", factor: 1024 ** 4 },
];
export const rateUnits: Unit[] = [
  { label: "KB/s", factor: 1024 },
  { label: "MB/s", factor: 1024 ** 2 },
];
export const durationUnits: Unit[] = [
  { label: "minutes", factor: 60 },
  { label: "hours", factor: 3600 },
  { label: "days", factor: 86400 },
];

// Empty: null where "none" is allowed, NaN where a number is required.
const blank = (v: number | null): v is null => v == null || Number.isNaN(v);

/** The largest unit that shows the value as a number ≥ 1 (exactly, when one does). */
export function pickUnit(value: number | null, units: Unit[]): { amount: string; unit: Unit } {
  if (blank(value)) return { amount: "", unit: units[Math.min(1, units.length - 1)]! };
  let unit = units[0]!;
  for (const u of units) if (value >= u.factor && value % u.factor === 0) unit = u;
  if (value % unit.factor !== 0) for (const u of units) if (value >= u.factor) unit = u;
  return { amount: String(Number((value / unit.factor).toFixed(2))), unit };
}

/**
 * A number with a unit picker (bytes, a rate, a duration) whose value is the
 * plain number in the base unit, as the API wants it. Empty is `null`, for
 * settings where empty means "none".
 */
export function UnitInput({
  id,
  value,
  onChange,
  units,
  placeholder,
  unitLabel,
  ...aria
}: {
  id: string;
  value: number | null;
  onChange: (v: number | null) => void;
  units: Unit[];
  placeholder?: string;
  /** Accessible name of the unit picker, e.g. "Unit of the disk reserve". */
  unitLabel: string;
  "aria-invalid"?: boolean;
  "aria-describedby"?: string;
}) {
  const [state, setState] = useState(() => pickUnit(value, units));
  const emitted = useRef<number | null>(value);
  useEffect(() => {
    // A reset from outside (saved values came back): show them. An empty
    // field keeps its unit, whichever way the form stores "empty".
    if (value === emitted.current || (blank(value) && blank(emitted.current))) return;
    emitted.current = value;
    setState((s) => (blank(value) ? { amount: "", unit: s.unit } : pickUnit(value, units)));
  }, [value, units]);
  const emit = (amount: string, unit: Unit) => {
    setState({ amount, unit });
    const n = amount.trim() === "" ? null : Number(amount);
    const v = n == null ? null : Number.isFinite(n) ? Math.round(n * unit.factor) : NaN;
    emitted.current = v;
    onChange(v);
  };
  return (
    <div className="flex gap-2">
      <Input
        id={id}
        type="number"
        inputMode="decimal"
        min={0}
        step="any"
        placeholder={placeholder}
        value={state.amount}
        onChange={(e) => emit(e.target.value, state.unit)}
        className="min-w-0 flex-1"
        {...aria}
      />
      <Select value={state.unit.label} onValueChange={(l) => emit(state.amount, units.find((u) => u.label === l)!)}>
        <SelectTrigger className="w-28 shrink-0" aria-label={unitLabel}>
          <SelectValue />
        </SelectTrigger>
        <SelectContent>
          {units.map((u) => (
            <SelectItem key={u.label} value={u.label}>
              {u.label}
            </SelectItem>
          ))}
        </SelectContent>
      </Select>
    </div>
  );
}
