import type { Schemas } from "@/lib/api/client";

/** A download as the API returns it, with overrides. */
export function makeDownload(over: Partial<Schemas["Download"]> = {}): Schemas["Download"] {
  return {
    id: "01931c2a-0000-7000-8000-000000000001",
    url: "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    platform: "youtube",
    kind: "video",
    status: "queued",
    title: "A video",
    uploader: null,
    thumbnail_url: null,
    duration_seconds: 10,
    source_url: null,
    progress: { percent: 0, downloaded_bytes: 0, total_bytes: null, speed_bps: null, eta_seconds: null, fragment_index: null, fragment_count: null, postprocessor: null },
    error: null,
    parent_id: null,
    children_count: 0,
    children_summary: null,
    options: {},
    files: [],
    user_id: "01930a70-0000-7000-8000-000000000001",
    node: null,
    attempts: 0,
    match: null,
    created_at: "2026-11-14T09:10:00Z",
    started_at: null,
    finished_at: null,
    updated_at: "2026-11-14T09:10:00Z",
    ...over,
  };
}

export function jsonResponse(status: number, body: unknown, contentType = "application/json") {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": contentType } });
}

export function problem(status: number, title: string, extra: Record<string, unknown> = {}) {
  return jsonResponse(status, { type: `https://downlink.dev/problems/${title.toLowerCase().replace(/ /g, "-")}`, title, status, ...extra }, "application/problem+json");
}
