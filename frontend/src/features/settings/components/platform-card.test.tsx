import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { PlatformCard } from "@/features/settings/components/platform-card";
import { jsonResponse, makePlatformSettings, problem } from "@/test/fixtures";
import { renderWithClient } from "@/test/render";

const badCookies = "# Netscape HTTP Cookie File\n.youtube.com\tTRUE\t/\tTRUE\n";

describe("PlatformCard cookies", () => {
  it("puts the server's 422 naming the line under the cookies field, and keeps what was pasted", async () => {
    const fetch = vi.fn(async (_req: Request) =>
      problem(422, "Validation failed", {
        detail: "The request has invalid fields.",
        errors: [{ field: "cookies", message: "line 2: expected 7 tab-separated fields, found 4 (is this a Netscape cookies.txt?)" }],
      }),
    );
    vi.stubGlobal("fetch", fetch);
    renderWithClient(<PlatformCard settings={makePlatformSettings()} />);
    const card = screen.getByRole("region", { name: "YouTube" });
    const field = within(card).getByLabelText("cookies.txt");

    fireEvent.change(field, { target: { value: badCookies } }); // a paste of a whole file
    await userEvent.click(within(card).getByRole("button", { name: "Save YouTube" }));

    const error = await within(card).findByText(/^line 2: expected 7 tab-separated fields/);
    expect(error).toHaveAttribute("role", "alert");
    expect(field).toHaveAttribute("aria-invalid", "true");
    expect(field.getAttribute("aria-describedby")).toContain(error.id);
    expect(field).toHaveValue(badCookies);

    const req = fetch.mock.calls[0]![0];
    expect(req.method).toBe("PUT");
    expect(new URL(req.url).pathname).toBe("/api/v1/settings/platforms/youtube");
    const body = await req.json();
    expect(body.cookies).toBe(badCookies);
    expect(body).toMatchObject({ enabled: true, default_preset: "best", max_concurrent: 2, proxy: null, options: { youtube: { subtitle_languages: [] } } });
  });

  it("loads a cookies.txt file into the field, and leaves cookies out of the request when none is given", async () => {
    const saved = makePlatformSettings({ max_concurrent: 4, cookies_set: true, cookies_expire_at: "2030-01-01T00:00:00Z" });
    const fetch = vi.fn(async (_req: Request) => jsonResponse(200, saved));
    vi.stubGlobal("fetch", fetch);
    const { container } = renderWithClient(
      <PlatformCard settings={makePlatformSettings({ cookies_set: true, cookies_expire_at: "2030-01-01T00:00:00Z", cookies_warning: "The session cookie expires soon." })} />,
    );
    const card = screen.getByRole("region", { name: "YouTube" });
    expect(within(card).getByTestId("cookies-status")).toHaveTextContent("Cookies stored");
    expect(within(card).getByText("The session cookie expires soon.")).toBeInTheDocument();

    const file = new File(["# Netscape HTTP Cookie File\n"], "cookies.txt", { type: "text/plain" });
    await userEvent.upload(container.querySelector('input[type="file"]') as HTMLInputElement, file);
    await waitFor(() => expect(within(card).getByLabelText("Replace with a new cookies.txt")).toHaveValue("# Netscape HTTP Cookie File\n"));
    await userEvent.clear(within(card).getByLabelText("Replace with a new cookies.txt"));

    await userEvent.clear(within(card).getByLabelText("Max concurrent downloads"));
    await userEvent.type(within(card).getByLabelText("Max concurrent downloads"), "4");
    await userEvent.click(within(card).getByRole("button", { name: "Save YouTube" }));
    await waitFor(() => expect(fetch).toHaveBeenCalledTimes(1));
    const body = await fetch.mock.calls[0]![0].json();
    expect(body.max_concurrent).toBe(4);
    // The pacing and the remote-components choice go back as they were.
    expect(body.min_start_interval_seconds).toBe(6);
    expect(body.options.youtube.remote_components).toEqual([]);
    expect("cookies" in body).toBe(false);
  });

  it("edits the pacing between job starts and allows remote solver scripts", async () => {
    const fetch = vi.fn(async (_req: Request) => jsonResponse(200, makePlatformSettings()));
    vi.stubGlobal("fetch", fetch);
    renderWithClient(<PlatformCard settings={makePlatformSettings()} />);
    const card = screen.getByRole("region", { name: "YouTube" });
    const pacing = within(card).getByLabelText("Pause between job starts");
    expect(pacing).toHaveValue(6);
    await userEvent.clear(pacing);
    await userEvent.type(pacing, "12");
    await userEvent.click(within(card).getByLabelText("From yt-dlp-ejs on GitHub (recommended)"));
    await userEvent.click(within(card).getByRole("button", { name: "Save YouTube" }));
    await waitFor(() => expect(fetch).toHaveBeenCalledTimes(1));
    const body = await fetch.mock.calls[0]![0].json();
    expect(body.min_start_interval_seconds).toBe(12);
    expect(body.options.youtube.remote_components).toEqual(["ejs:github"]);
  });
});

describe("PlatformCard discard", () => {
  it("Discard changes puts back what is stored (the form's keep-edits option made it do nothing)", async () => {
    vi.stubGlobal("fetch", vi.fn());
    renderWithClient(<PlatformCard settings={makePlatformSettings()} />);
    const max = screen.getByLabelText("Max concurrent downloads");
    await userEvent.clear(max);
    await userEvent.type(max, "4");
    fireEvent.change(screen.getByLabelText("cookies.txt"), { target: { value: badCookies } });
    await userEvent.click(screen.getByRole("button", { name: "Discard changes" }));
    await waitFor(() => expect(max).toHaveValue(2));
    expect(screen.getByLabelText("cookies.txt")).toHaveValue("");
    expect(screen.getByRole("button", { name: "Save YouTube" })).toBeDisabled();
  });
});
