import { describe, expect, it } from "vitest";
import { formatDuration, formatUptime, plural } from "@/lib/format";

describe("format", () => {
  it.each([
    [1, "format", "1 format"],
    [12, "format", "12 formats"],
    [1, "day", "1 day"],
    [30, "day", "30 days"],
  ])("plural(%i, %s) is %s", (n, one, want) => {
    expect(plural(n, one)).toBe(want);
  });

  it.each([
    [42, "42 seconds"],
    [60, "1 minute"],
    [16 * 3600 + 46 * 60, "16 hours 46 minutes"],
    [86400 + 3600 + 5, "1 day 1 hour"],
    [3 * 86400 + 125, "3 days 2 minutes"],
  ])("uptime %i reads %s, not a clock", (s, want) => {
    expect(formatUptime(s)).toBe(want);
  });

  it("durations stay clock-like for media", () => {
    expect(formatDuration(3725)).toBe("1:02:05");
    expect(formatDuration(null)).toBe("—");
  });
});
