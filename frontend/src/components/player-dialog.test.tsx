import { fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { PlayerDialog } from "@/components/player-dialog";

const file = (mime: string) =>
  ({
    id: "f1",
    name: "clip" + (mime.includes("matroska") ? ".mkv" : ".mp4"),
    kind: "video",
    mime_type: mime,
    size_bytes: 1000,
    content_url: "/api/v1/files/f1/content",
  }) as never;

describe("PlayerDialog", () => {
  afterEach(() => vi.restoreAllMocks());

  it("offers the download instead of a player for a type the browser cannot play", () => {
    vi.spyOn(HTMLMediaElement.prototype, "canPlayType").mockImplementation((t: string) => (t === "video/mp4" ? "maybe" : ""));
    render(<PlayerDialog file={file("video/x-matroska")} onClose={() => {}} />);
    expect(screen.queryByTestId("player")).toBeNull();
    expect(screen.getByTestId("cannot-play")).toHaveTextContent("cannot play video/x-matroska");
    expect(screen.getByRole("link", { name: /download/i })).toHaveAttribute("href", "/api/v1/files/f1/content?download=true");
  });

  it("plays an mp4, and offers the download when the codec fails to decode", () => {
    vi.spyOn(HTMLMediaElement.prototype, "canPlayType").mockImplementation((t: string) => (t === "video/mp4" ? "maybe" : ""));
    render(<PlayerDialog file={file("video/mp4")} onClose={() => {}} />);
    const player = screen.getByTestId("player");
    Object.defineProperty(player, "error", { value: { code: 4 } });
    fireEvent.error(player);
    expect(screen.queryByTestId("player")).toBeNull();
    expect(screen.getByTestId("cannot-play")).toHaveTextContent("codec is not supported");
  });
});
