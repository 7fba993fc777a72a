/// <reference types="node" />
import type { Schemas } from "@/lib/api/client";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";

/** A download as the API returns it, with overrides. */
/**
 * The server's platform registry as GET /platforms serves it, from the file
 * Go's TestRegistryFile keeps equal to it (every platform enabled).
 */
export function platformRegistry(): Schemas["PlatformInfo"][] {
  // Vitest runs in frontend/, beside api/.
  const raw = readFileSync(resolve(process.cwd(), "../api/internal/platforms/testdata/platforms.json"), "utf8");
  return (JSON.parse(raw) as Omit<Schemas["PlatformInfo"], "enabled">[]).map((p) => ({ ...p, enabled: true }));
}

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
    warnings: [],
    parent_id: null,
    children_count: 0,
    children_summary: null,
    options: {},
    files: [],
    user_id: "01930a70-0000-7000-8000-000000000001",
    node: null,
    attempts: 0,
    match: null,
    ytdlp_version: null,
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

/** An API key as the API lists it, with overrides. */
export function makeApiKey(over: Partial<Schemas["APIKey"]> = {}): Schemas["APIKey"] {
  return {
    id: "01931b00-3c4d-7e5f-8a6b-7c8d9e0f1a2b",
    user_id: "01930a70-0000-7000-8000-000000000001",
    name: "Home Assistant",
    scopes: ["downloads:read"],
    last_eight: "UN1uN1TJ",
    status: "active",
    expires_at: null,
    revoked_at: null,
    last_used_at: null,
    last_used_ip: null,
    rate_limit_per_minute: 60,
    daily_download_quota: null,
    allowed_ips: [],
    created_at: "2026-11-14T08:59:30Z",
    ...over,
  };
}

/** A log record, with overrides. */
export function makeLog(over: Partial<Schemas["LogEntry"]> = {}): Schemas["LogEntry"] {
  return {
    id: "01931f01-0000-7000-8000-000000000001",
    time: "2026-11-14T09:00:00.000Z",
    level: "info",
    source: "http",
    message: "request",
    attrs: {},
    request_id: null,
    user_id: null,
    download_id: null,
    actor_id: null,
    ip: null,
    target: null,
    action: null,
    audit: false,
    ...over,
  };
}

/** One platform's settings as GET /settings/platforms has them, with overrides. */
export function makePlatformSettings(over: Partial<Schemas["PlatformSettings"]> = {}): Schemas["PlatformSettings"] {
  return {
    platform: "youtube",
    enabled: true,
    default_preset: "best",
    audio_format: "mp3",
    max_concurrent: 2,
    rate_limit_bytes_per_second: null,
    sleep_between_requests_seconds: 0,
    min_start_interval_seconds: 6,
    proxy: null,
    cookies_set: false,
    cookies_expire_at: null,
    cookies_warning: null,
    options: { youtube: { subtitle_languages: [], sponsorblock_categories: [], auto_captions: false, remote_components: [] } },
    limits: { max_download_seconds: null, max_download_bytes: null },
    updated_at: null,
    ...over,
  };
}
