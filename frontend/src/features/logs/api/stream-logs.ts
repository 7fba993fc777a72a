import { useEffect, useRef, useState } from "react";
import type { StreamStatus } from "@/lib/sse/use-event-stream";
import { backoffDelay, resumeUrl } from "@/lib/sse/use-event-stream";
import type { LogEntry } from "@/features/logs/utils/log-filters";

export const logTailUrl = "/api/v1/events?scope=all&types=log.appended";

/**
 * The live log tail: `log.appended` from everyone's event stream (admins),
 * on its own EventSource while `enabled`, reconnecting with backoff.
 * A reconnect resumes after the last record read (the server replays what
 * was missed). `onMissed` is called when records may have been missed (a
 * resync, a reconnect with no position yet, a record too large to cross
 * nodes), so the list can refetch.
 */
export function useLogTail(enabled: boolean, onEntry: (e: LogEntry) => void, onMissed: () => void): StreamStatus | "off" {
  const [status, setStatus] = useState<StreamStatus>("connecting");
  const handlers = useRef({ onEntry, onMissed });
  useEffect(() => {
    handlers.current = { onEntry, onMissed };
  });

  useEffect(() => {
    if (!enabled || typeof EventSource === "undefined") return;
    let es: EventSource | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let attempt = 0;
    let opened = false;
    let stopped = false;
    let lastId = "";
    setStatus("connecting");
    const connect = () => {
      es = new EventSource(resumeUrl(logTailUrl, lastId), { withCredentials: true });
      es.onopen = () => {
        if (opened && !lastId) handlers.current.onMissed();
        opened = true;
        attempt = 0;
        setStatus("live");
      };
      es.onerror = () => {
        es?.close();
        if (stopped) return;
        setStatus("reconnecting");
        timer = setTimeout(connect, backoffDelay(attempt++));
      };
      es.addEventListener("log.appended", (ev) => {
        if ((ev as MessageEvent).lastEventId) lastId = (ev as MessageEvent).lastEventId;
        try {
          const data = JSON.parse((ev as MessageEvent<string>).data) as LogEntry | { truncated: true };
          if ("truncated" in data && data.truncated) handlers.current.onMissed();
          else handlers.current.onEntry(data as LogEntry);
        } catch {
          handlers.current.onMissed();
        }
      });
      es.addEventListener("events.resync", (ev) => {
        if ((ev as MessageEvent).lastEventId) lastId = (ev as MessageEvent).lastEventId;
        handlers.current.onMissed();
      });
    };
    connect();
    return () => {
      stopped = true;
      clearTimeout(timer);
      es?.close();
    };
  }, [enabled]);

  return enabled ? status : "off";
}
