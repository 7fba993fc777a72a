import { describe, expect, it } from "vitest";
import { defaultLogFilters, matchesLogParams, toLogsParams } from "@/features/logs/utils/log-filters";
import { makeLog } from "@/test/fixtures";

describe("log filters for people", () => {
  it("hides per-request and queue chatter by default, not their warnings", () => {
    const p = toLogsParams(defaultLogFilters);
    expect(p.hide_routine).toBe(true);
    expect(matchesLogParams(makeLog({ source: "http", level: "info" }), p)).toBe(false);
    expect(matchesLogParams(makeLog({ source: "queue", level: "debug" }), p)).toBe(false);
    expect(matchesLogParams(makeLog({ source: "http", level: "warn" }), p)).toBe(true);
    expect(matchesLogParams(makeLog({ source: "downloads", level: "info" }), p)).toBe(true);
  });

  it("shows everything when asked, or when a source is picked on purpose", () => {
    expect(toLogsParams({ ...defaultLogFilters, everything: "on" }).hide_routine).toBeUndefined();
    const http = toLogsParams({ ...defaultLogFilters, source: "http" });
    expect(http.hide_routine).toBeUndefined();
    expect(matchesLogParams(makeLog({ source: "http", level: "info" }), http)).toBe(true);
  });
});

describe("a download's log records", () => {
  it("asks for that download's records, chatter included", () => {
    const p = toLogsParams({ ...defaultLogFilters, download: "01931c2a-0000-7000-8000-0000000000f1" });
    expect(p.download_id).toBe("01931c2a-0000-7000-8000-0000000000f1");
    expect(p.hide_routine).toBeUndefined();
    expect(toLogsParams({ ...defaultLogFilters, download: "not-an-id" }).download_id).toBeUndefined();
  });
});
