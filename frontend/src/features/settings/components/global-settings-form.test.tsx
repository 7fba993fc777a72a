import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { GlobalSettingsForm } from "@/features/settings/components/global-settings-form";
import type { Schemas } from "@/lib/api/client";
import { jsonResponse } from "@/test/fixtures";
import { renderWithClient } from "@/test/render";

const settings: Schemas["GlobalSettings"] = {
  default_concurrency: 3,
  min_free_disk_bytes: 1024 ** 3,
  default_storage_quota_bytes: null,
  retention_days: null,
  generic_sites_enabled: false,
  allow_private_networks: false,
  log_retention_days: 30,
  session_idle_timeout_seconds: 86400,
  session_absolute_timeout_seconds: 2592000,
  api_key_default_expiry_days: null,
  api_key_max_expiry_days: null,
  limits: {
    max_download_seconds: 21600,
    max_download_bytes: 0,
    live_streams_allowed: false,
    max_running_downloads_per_user: 4,
    max_probes_per_user: 2,
    max_concurrent_probes: 4,
  },
};

describe("GlobalSettingsForm limits", () => {
  it("shows the limits and saves them whole, an empty size as no limit (0)", async () => {
    const fetch = vi.fn(async (req: Request) => (req.method === "PUT" ? jsonResponse(200, await req.clone().json()) : jsonResponse(200, settings)));
    vi.stubGlobal("fetch", fetch);
    renderWithClient(<GlobalSettingsForm />);
    const probes = await screen.findByLabelText("Probes at once per user");
    expect(probes).toHaveValue(2);
    expect(screen.getByLabelText("Largest download")).toHaveValue(null);

    await userEvent.clear(probes);
    await userEvent.type(probes, "3");
    await userEvent.click(screen.getByRole("switch", { name: "Live streams" }));
    await userEvent.click(screen.getByRole("button", { name: "Save settings" }));

    await waitFor(() => expect(fetch.mock.calls.some(([r]) => r.method === "PUT")).toBe(true));
    const put = fetch.mock.calls.find(([r]) => r.method === "PUT")![0];
    const body = await put.json();
    expect(body.limits).toEqual({ ...settings.limits, max_probes_per_user: 3, live_streams_allowed: true });
  });

  it("switches the library to the media-server layout, with a template, and names a refused template on its field", async () => {
    let puts = 0;
    const fetch = vi.fn(async (req: Request) => {
      if (req.method !== "PUT") return jsonResponse(200, settings);
      puts++;
      if (puts === 1)
        return jsonResponse(
          422,
          {
            type: "https://downlink.dev/problems/validation-failed",
            title: "Validation failed",
            status: 422,
            errors: [{ field: "library.video_template", message: "no folder may be empty, a dot or two dots" }],
          },
          "application/problem+json",
        );
      return jsonResponse(200, await req.clone().json());
    });
    vi.stubGlobal("fetch", fetch);
    renderWithClient(<GlobalSettingsForm />);
    await userEvent.click(await screen.findByRole("switch", { name: "Media-server library layout" }));
    const video = screen.getByLabelText("Video path");
    await userEvent.type(video, "../{{title}");
    await userEvent.click(screen.getByRole("button", { name: "Save settings" }));
    expect(await screen.findByText("no folder may be empty, a dot or two dots")).toBeVisible();
    expect(video).toHaveAttribute("aria-invalid", "true");

    await userEvent.clear(video);
    await userEvent.click(screen.getByRole("button", { name: "Save settings" }));
    await waitFor(() => expect(puts).toBe(2));
    const bodies = await Promise.all(fetch.mock.calls.filter(([r]) => r.method === "PUT").map(([r]) => r.clone().json()));
    expect(bodies[0].library).toEqual({ layout: "media_server", video_template: "../{title}", music_template: "" });
    expect(bodies[1].library).toEqual({ layout: "media_server", video_template: "", music_template: "" });
  });
});
