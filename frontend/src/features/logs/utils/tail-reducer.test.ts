import { describe, expect, it } from "vitest";
import { matchesLogParams } from "@/features/logs/utils/log-filters";
import { initialTail, tailReducer, type TailState } from "@/features/logs/utils/tail-reducer";
import { makeLog } from "@/test/fixtures";

const at = (sec: number, over = {}) =>
  makeLog({ id: `01931f01-0000-7000-8000-${String(sec).padStart(12, "0")}`, time: new Date(Date.UTC(2026, 10, 14, 9, 0, sec)).toISOString(), ...over });
const ids = (s: TailState) => s.entries.map((e) => Number(e.id.slice(-12)));
const append = (s: TailState, ...es: ReturnType<typeof at>[]) => es.reduce((st, entry) => tailReducer(st, { type: "append", entry }), s);

describe("tailReducer", () => {
  it("keeps records newest first, each once", () => {
    const s = append(initialTail(), at(1), at(2), at(3), at(2));
    expect(ids(s)).toEqual([3, 2, 1]);
  });

  it("puts a late record where its time belongs", () => {
    const s = append(initialTail(), at(1), at(5), at(3));
    expect(ids(s)).toEqual([5, 3, 1]);
  });

  it("holds at most `limit` records and counts the ones it dropped", () => {
    let s = append(initialTail(3), at(1), at(2), at(3), at(4), at(5));
    expect(ids(s)).toEqual([5, 4, 3]);
    expect(s.dropped).toBe(2);
    // Older than everything kept, with the list full: not kept.
    s = append(s, at(0));
    expect(ids(s)).toEqual([5, 4, 3]);
    expect(s.dropped).toBe(3);
  });

  it("clears, and returns the same state when there is nothing to clear", () => {
    const s = append(initialTail(), at(1));
    const cleared = tailReducer(s, { type: "clear" });
    expect(cleared.entries).toEqual([]);
    expect(tailReducer(cleared, { type: "clear" })).toBe(cleared);
  });

  it("returns the same state for a duplicate, so React skips the render", () => {
    const s = append(initialTail(), at(1));
    expect(tailReducer(s, { type: "append", entry: at(1) })).toBe(s);
  });
});

describe("matchesLogParams", () => {
  it("applies level, sources, audit, time and text like the server", () => {
    const e = at(30, { level: "warn", source: "audit", audit: true, message: "API key created", attrs: { name: "Home Assistant" } });
    expect(matchesLogParams(e, { level: "info" })).toBe(true);
    expect(matchesLogParams(e, { level: "error" })).toBe(false);
    expect(matchesLogParams(e, { source: ["http", "audit"] })).toBe(true);
    expect(matchesLogParams(e, { source: ["http"] })).toBe(false);
    expect(matchesLogParams(e, { audit: true })).toBe(true);
    expect(matchesLogParams(e, { audit: false })).toBe(false);
    expect(matchesLogParams(e, { from: "2026-11-14T09:00:00Z" })).toBe(true);
    expect(matchesLogParams(e, { from: "2026-11-14T09:01:00Z" })).toBe(false);
    expect(matchesLogParams(e, { q: "home assist" })).toBe(true);
    expect(matchesLogParams(e, { q: "nothing like it" })).toBe(false);
  });
});
