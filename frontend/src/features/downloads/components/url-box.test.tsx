import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { describe, expect, it, vi } from "vitest";
import { UrlBox } from "@/features/downloads/components/url-box";
import { renderWithClient } from "@/test/render";

function Harness({ onSubmit = () => {} }: { onSubmit?: () => void }) {
  const [v, setV] = useState("");
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit();
      }}
    >
      <UrlBox aria-label="Link" value={v} onChange={(e) => setV(e.target.value)} />
    </form>
  );
}

describe("UrlBox", () => {
  it("recognises the platform as you type and shows its mark", async () => {
    renderWithClient(<Harness />);
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
    expect(screen.getByText("Other sites")).toBeInTheDocument();
  });

  it("takes several links, one per line, says how many, and Enter still submits", async () => {
    const onSubmit = vi.fn();
    renderWithClient(<Harness onSubmit={onSubmit} />);
    const box = screen.getByLabelText("Link");
    await userEvent.type(box, "https://youtu.be/x{Enter}");
    expect(onSubmit).toHaveBeenCalledTimes(1);
    expect(box).toHaveValue("https://youtu.be/x");

    await userEvent.type(box, "{Shift>}{Enter}{/Shift}https://example.org/a.mp4");
    expect(box).toHaveValue("https://youtu.be/x\nhttps://example.org/a.mp4");
    expect(screen.getByText("2 links")).toBeInTheDocument();
    expect(screen.getByTestId("url-platform")).toHaveAttribute("data-platform", "");
    expect(onSubmit).toHaveBeenCalledTimes(1);
  });
});
