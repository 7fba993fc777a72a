import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { YouTubeSolverCard } from "@/features/system/components/youtube-solver-card";

const base = {
  runtime: "deno:/usr/local/lib/downlink/deno/deno",
  ejs_version: "",
  ytdlp_version: "2026.10.26",
  checked_at: new Date().toISOString(),
};

describe("YouTubeSolverCard", () => {
  it("shows the runtime and its version when ready", () => {
    render(
      <YouTubeSolverCard
        solver={{ ...base, status: "ready", runtime_name: "deno", runtime_version: "2.9.6", providers: ["deno"], message: "YouTube's JavaScript challenges are solved with deno." }}
      />,
    );
    expect(screen.getByText("ready")).toBeInTheDocument();
    expect(screen.getByText("deno 2.9.6")).toBeInTheDocument();
    expect(screen.getByText("deno:/usr/local/lib/downlink/deno/deno")).toBeInTheDocument();
  });

  it("says what is wrong and what to do when the runtime is unsupported", () => {
    render(
      <YouTubeSolverCard
        solver={{
          ...base,
          runtime: "node",
          status: "unsupported",
          runtime_name: "",
          runtime_version: "",
          providers: [],
          message: "yt-dlp rejects node 20.20.2 as too old for its challenge solver: install Deno 2.3 or newer.",
        }}
      />,
    );
    expect(screen.getByText("unsupported")).toBeInTheDocument();
    expect(screen.getByText("none found")).toBeInTheDocument();
    expect(screen.getByText("none available")).toBeInTheDocument();
    expect(screen.getByText(/rejects node 20\.20\.2/)).toBeInTheDocument();
  });
});
