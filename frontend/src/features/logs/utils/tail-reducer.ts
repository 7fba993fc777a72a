import type { LogEntry } from "@/features/logs/utils/log-filters";

/** How many live records the page keeps; older ones are dropped (the list below still pages through them). */
export const TAIL_LIMIT = 500;

export type TailState = { entries: LogEntry[]; dropped: number; limit: number };
export type TailAction = { type: "append"; entry: LogEntry } | { type: "clear" };

export const initialTail = (limit = TAIL_LIMIT): TailState => ({ entries: [], dropped: 0, limit });

// Newest first; records of the same instant by id (UUIDv7 ids sort by time).
const newer = (a: LogEntry, b: LogEntry) => (a.time === b.time ? a.id > b.id : a.time > b.time);

/**
 * The live tail: records from the event stream, newest first, each once,
 * at most `limit` of them. Records from several nodes may arrive a little
 * out of order; each goes where its time puts it.
 */
export function tailReducer(state: TailState, action: TailAction): TailState {
  switch (action.type) {
    case "clear":
      return state.entries.length === 0 && state.dropped === 0 ? state : { ...state, entries: [], dropped: 0 };
    case "append": {
      const e = action.entry;
      if (state.entries.some((x) => x.id === e.id)) return state;
      let i = 0;
      while (i < state.entries.length && !newer(e, state.entries[i]!)) i++;
      if (i >= state.limit) return { ...state, dropped: state.dropped + 1 };
      const entries = [...state.entries.slice(0, i), e, ...state.entries.slice(i)];
      const over = Math.max(0, entries.length - state.limit);
      return { ...state, entries: over ? entries.slice(0, state.limit) : entries, dropped: state.dropped + over };
    }
  }
}
