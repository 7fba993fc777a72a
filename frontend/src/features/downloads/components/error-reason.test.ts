import { describe, expect, it } from "vitest";
import { errorTitle, pointsAtSystem } from "@/features/downloads/components/error-reason";

describe("errorTitle", () => {
  it("names the 2026 YouTube failures", () => {
    expect(errorTitle("youtube_blocked")).toBe("YouTube blocked the stream");
    expect(errorTitle("rate_limited")).toBe("Rate limited by the site");
    expect(errorTitle("drm")).toMatch(/DRM protected/);
    expect(errorTitle("bot_check")).toMatch(/not a bot/);
  });
  it("falls back for codes it does not know", () => {
    expect(errorTitle("something_new")).toBe("Failed");
  });
  it("points only a blocked YouTube stream at the System page", () => {
    expect(pointsAtSystem("youtube_blocked")).toBe(true);
    expect(pointsAtSystem("unavailable")).toBe(false);
  });
});
