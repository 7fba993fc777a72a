import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { Schemas } from "@/lib/api/client";
import { ProbePreview } from "@/features/downloads/components/probe-preview";
import { renderWithClient } from "@/test/render";

const format = (over: Partial<Schemas["ProbeFormat"]>): Schemas["ProbeFormat"] => ({
  format_id: "f",
  ext: "mp4",
  resolution: null,
  fps: null,
  vcodec: null,
  acodec: null,
  filesize_bytes: null,
  tbr: null,
  note: null,
  ...over,
});

describe("ProbePreview", () => {
  it("says '1 format' and never '? · mp4'", async () => {
    renderWithClient(
      <ProbePreview
        probe={{
          url: "http://127.0.0.1/v.mp4",
          platform: "generic",
          kind: "video",
          title: "Clip",
          uploader: null,
          thumbnail_url: null,
          duration_seconds: 3,
          formats: [format({ format_id: "0" })],
          playlist: null,
          spotify: null,
          warnings: [],
        }}
      />,
    );
    await userEvent.click(screen.getByText("1 format available"));
    expect(screen.getByRole("listitem")).toHaveTextContent(/^mp4/);
    expect(screen.queryByText(/\?/)).toBeNull();
  });
});
