/// <reference types="node" />
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { detectPlatform, type PlatformInfo } from "@/lib/platforms";
import { platformRegistry } from "@/test/fixtures";

// The server's table and detection cases (api/internal/platforms/testdata):
// Go's TestRegistryFile keeps platforms.json equal to the registry GET
// /platforms serves, and TestDetectSharedCases runs detect.json through
// the server's Detect. Here the dashboard's detection runs the same file.
// Vitest runs in frontend/, beside api/.
const read = (name: string) => JSON.parse(readFileSync(resolve(process.cwd(), "../api/internal/platforms/testdata", name), "utf8"));
const registry: PlatformInfo[] = platformRegistry();
const shared: { input: string; platform: string }[] = read("detect.json");

describe("detectPlatform, as the server detects", () => {
  it.each(shared.map((c) => [c.input, c.platform] as const))("%j → %s", (input, want) => {
    expect(detectPlatform(input, registry)).toBe(want);
  });
});

describe("detectPlatform while typing", () => {
  const cases: [string, ReturnType<typeof detectPlatform>][] = [
    ["youtu.be/dQw4w9WgXcQ", "youtube"],
    ["  https://www.youtube.com/playlist?list=PL123  ", "youtube"],
    ["http://localhost:8000/clip.webm", "generic"],
    ["localhost:8000/clip.webm", "generic"],
    // Not a URL (yet).
    ["", null],
    ["   ", null],
    ["never gonna", null],
    ["ftp://example.com/file", null],
    ["javascript:alert(1)", null],
    ["spotify:", null],
  ];
  it.each(cases)("%j → %s", (input, want) => {
    expect(detectPlatform(input, registry)).toBe(want);
  });

  it("knows nothing but generic before the table arrives", () => {
    expect(detectPlatform("https://youtu.be/dQw4w9WgXcQ", [])).toBe("generic");
  });
});
