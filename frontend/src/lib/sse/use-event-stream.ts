import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { queryKeys } from "@/lib/query-keys";
import { applyEvent, resync } from "@/lib/sse/apply-event";

export type StreamStatus = "connecting" | "live" | "reconnecting";

const eventNames = [
  "download.created",
  "download.updated",
  "download.progress",
  "download.deleted",
  "file.created",
  "file.deleted",
  "subscription.updated",
  "subscription.checked",
  "subscription.deleted",
  "events.resync",
] as const;

/** Reconnect delays: 1 s, 2 s, 4 s … capped at 30 s, with some jitter. */
export function backoffDelay(attempt: number, random = Math.random) {
  const base = Math.min(30_000, 1000 * 2 ** attempt);
  return Math.round(base * (0.8 + 0.4 * random()));
}

/**
 * The stream URL that resumes after `lastId` (the id of the last event read):
 * a new EventSource cannot send Last-Event-ID, so it goes in the query.
 */
export function resumeUrl(url: string, lastId: string) {
  if (!lastId) return url;
  return `${url}${url.includes("?") ? "&" : "?"}last_event_id=${encodeURIComponent(lastId)}`;
}

/**
 * Keeps one EventSource on /api/v1/events open while `enabled`, feeding every
 * event into the query cache. On an error it closes the stream and opens a
 * new one after an exponential backoff (EventSource's own retry is a fixed
 * 3 s), resuming after the last event read: the server replays what was
 * missed, or sends `events.resync` (which refetches) when it cannot. A
 * stream that dropped before any event arrived has no position, so it
 * refetches on its own.
 */
export function useEventStream(enabled = true, url = "/api/v1/events"): StreamStatus {
  const qc = useQueryClient();
  const [status, setStatus] = useState<StreamStatus>("connecting");

  useEffect(() => {
    if (!enabled || typeof EventSource === "undefined") return;
    let es: EventSource | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let attempt = 0;
    let everOpened = false;
    let stopped = false;
    let lastId = "";

    const connect = () => {
      es = new EventSource(resumeUrl(url, lastId), { withCredentials: true });
      es.onopen = () => {
        if (everOpened && !lastId) resync(qc); // no position to resume from
        everOpened = true;
        attempt = 0;
        setStatus("live");
      };
      es.onerror = () => {
        es?.close();
        if (stopped) return;
        setStatus("reconnecting");
        // The session may have ended: asking who we are redirects to login on 401.
        if (attempt >= 1) void qc.invalidateQueries({ queryKey: queryKeys.me });
        timer = setTimeout(connect, backoffDelay(attempt++));
      };
      for (const name of eventNames) {
        es.addEventListener(name, (e) => {
          const msg = e as MessageEvent<string>;
          if (msg.lastEventId) lastId = msg.lastEventId;
          try {
            applyEvent(qc, name, JSON.parse(msg.data));
          } catch {
            resync(qc); // unreadable data: fall back to refetching
          }
        });
      }
    };
    connect();
    return () => {
      stopped = true;
      clearTimeout(timer);
      es?.close();
    };
  }, [enabled, url, qc]);

  return status;
}
