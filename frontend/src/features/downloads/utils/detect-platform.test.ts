import { describe, expect, it } from "vitest";
import { detectPlatform } from "@/features/downloads/utils/detect-platform";

describe("detectPlatform", () => {
  const cases: [string, ReturnType<typeof detectPlatform>][] = [
    ["https://www.youtube.com/watch?v=dQw4w9WgXcQ", "youtube"],
    ["https://youtube.com/shorts/abc", "youtube"],
    ["https://m.youtube.com/watch?v=x", "youtube"],
    ["https://music.youtube.com/watch?v=lYBUbBu4W08", "youtube"],
    ["https://youtu.be/dQw4w9WgXcQ", "youtube"],
    ["youtu.be/dQw4w9WgXcQ", "youtube"],
    ["  https://www.youtube.com/playlist?list=PL123  ", "youtube"],
    ["HTTPS://WWW.YOUTUBE.COM/watch?v=x", "youtube"],
    ["https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC", "spotify"],
    ["https://open.spotify.com/intl-de/album/4aawyAB9vmqN3uQ7FjRGTy?si=1", "spotify"],
    ["spotify:track:4uLU6hMCjMI75M1A2tKUQC", "spotify"],
    ["spotify:playlist:37i9dQZF1DXcBWIGoYBM5M", "spotify"],
    ["https://www.instagram.com/p/Cx1/", "instagram"],
    ["https://instagram.com/reel/Cx2/", "instagram"],
    ["https://vimeo.com/123", "generic"],
    ["http://127.0.0.1:8000/clip.webm", "generic"],
    ["http://localhost:8000/clip.webm", "generic"],
    // Look-alikes are not the platform.
    ["https://notyoutube.com/watch?v=x", "generic"],
    ["https://youtube.com.evil.example/watch", "generic"],
    ["https://spotify.com.example/track/x", "generic"],
    ["https://evilinstagram.com/p/x", "generic"],
    // Not a URL (yet).
    ["", null],
    ["   ", null],
    ["never gonna", null],
    ["ftp://example.com/file", null],
    ["javascript:alert(1)", null],
    ["spotify:", null],
  ];
  it.each(cases)("%j → %s", (input, want) => {
    expect(detectPlatform(input)).toBe(want);
  });
});
