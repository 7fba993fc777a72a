import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { describe, expect, it } from "vitest";
import { byteUnits, durationUnits, pickUnit, UnitInput } from "@/components/ui/unit-input";

describe("pickUnit", () => {
  it("shows a value in the largest unit that fits it exactly", () => {
    expect(pickUnit(536_870_912, byteUnits)).toMatchObject({ amount: "512", unit: { label: "MB" } });
    expect(pickUnit(50 * 1024 ** 3, byteUnits)).toMatchObject({ amount: "50", unit: { label: "GB" } });
    expect(pickUnit(1.5 * 1024 ** 3, byteUnits)).toMatchObject({ amount: "1536", unit: { label: "MB" } });
    expect(pickUnit(86_400, durationUnits)).toMatchObject({ amount: "1", unit: { label: "days" } });
    expect(pickUnit(null, byteUnits).amount).toBe("");
  });
});

describe("UnitInput", () => {
  it("emits the value in the base unit, and an emptied field stays empty", async () => {
    const seen: (number | null)[] = [];
    function Host() {
      const [v, setV] = useState<number | null>(2 * 1024 ** 3);
      return (
        <UnitInput
          id="q"
          value={v}
          units={byteUnits}
          unitLabel="Unit"
          onChange={(n) => {
            const next = n ?? NaN;
            seen.push(next);
            setV(next);
          }}
        />
      );
    }
    render(<Host />);
    const box = screen.getByRole("spinbutton");
    expect(box).toHaveValue(2);
    await userEvent.clear(box);
    expect(box).toHaveValue(null);
    expect(Number.isNaN(seen.at(-1))).toBe(true);
    await userEvent.type(box, "3");
    expect(seen.at(-1)).toBe(3 * 1024 ** 3);
    expect(screen.getByRole("combobox", { name: "Unit" })).toHaveTextContent("GB");
  });
});
