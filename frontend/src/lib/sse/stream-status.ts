import { createContext, useContext } from "react";
import type { StreamStatus } from "@/lib/sse/use-event-stream";

/** The live stream's state, provided by the signed-in frame; "live" outside it. */
export const StreamStatusContext = createContext<StreamStatus>("live");

/** Whether what is on screen may be out of date: the server stopped answering and we are reconnecting. */
export function useStale(): boolean {
  return useContext(StreamStatusContext) === "reconnecting";
}
