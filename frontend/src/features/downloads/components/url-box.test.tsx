import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { describe, expect, it } from "vitest";
import { UrlBox } from "@/features/downloads/components/url-box";

function Harness() {
  const [v, setV] = useState("");
  return <UrlBox aria-label="Link" value={v} onChange={(e) => setV(e.target.value)} />;
}

describe("UrlBox", () => {
  it("recognises the platform as you type and shows its mark", async () => {
    render(<Harness />);
    const box = screen.getByLabelText("Link");
    const mark = screen.getByTestId("url-platform");
    expect(mark).toHaveAttribute("data-platform", "");

    await userEvent.type(box, "https://youtu.be/x");
    expect(mark).toHaveAttribute("data-platform", "youtube");
    expect(screen.getByRole("img", { name: "YouTube" })).toBeInTheDocument();

    await userEvent.clear(box);
    await userEvent.type(box, "spotify:track:abc");
    expect(mark).toHaveAttribute("data-platform", "spotify");

    await userEvent.clear(box);
    await userEvent.type(box, "https://example.org/video.mp4");
    expect(mark).toHaveAttribute("data-platform", "generic");
    expect(screen.getByText("Other site")).toBeInTheDocument();
  });
});
