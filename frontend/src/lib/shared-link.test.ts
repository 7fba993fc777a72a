import { describe, expect, it } from "vitest";
import { extractSharedLink } from "@/lib/shared-link";

describe("extractSharedLink", () => {
  it.each([
    ["the url field", { url: "https://www.youtube.com/watch?v=dQw4w9WgXcQ" }, "https://www.youtube.com/watch?v=dQw4w9WgXcQ"],
    ["a link inside text (YouTube on Android)", { text: "Check this out https://youtu.be/dQw4w9WgXcQ?si=abc" }, "https://youtu.be/dQw4w9WgXcQ?si=abc"],
    ["text with the title first, then the link", { title: "A song", text: "A song\nhttps://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC" }, "https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC"],
    ["url wins over text", { url: "https://a.example/1", text: "https://b.example/2" }, "https://a.example/1"],
    ["an empty url falls back to text", { url: "", text: "https://b.example/2" }, "https://b.example/2"],
    ["sentence punctuation is not part of the link", { text: "Watch https://vimeo.com/76979871." }, "https://vimeo.com/76979871"],
    ["a closing bracket that opened nothing", { text: "(see https://example.org/video)" }, "https://example.org/video"],
    ["brackets the link opened stay", { text: "https://en.wikipedia.org/wiki/Foo_(bar)" }, "https://en.wikipedia.org/wiki/Foo_(bar)"],
    ["a link only in the title", { title: "https://soundcloud.com/a/b" }, "https://soundcloud.com/a/b"],
  ])("finds %s", (_, data, want) => {
    expect(extractSharedLink(data)).toBe(want);
  });

  it.each([
    ["nothing", {}],
    ["text without a link", { text: "just words" }],
    ["another scheme", { url: "javascript:alert(1)", text: "ftp://example.org/x" }],
  ])("finds no link in %s", (_, data) => {
    expect(extractSharedLink(data)).toBeNull();
  });
});
