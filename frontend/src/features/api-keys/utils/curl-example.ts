import type { Scope } from "@/features/api-keys/utils/scopes";

/** The placeholder the download example's body carries, for the link to send. */
export const linkPlaceholder = "LINK";

/**
 * A command that works with this key as it is, picked by its scopes, so
 * people can try the key at once: sending a link first (what most keys are
 * for: scripts, bookmarklets, phone shortcuts), else the first scope that
 * reads something, else one that writes.
 */
export function curlExample(key: string, scopes: readonly Scope[], origin: string): { command: string; what: string } {
  const auth = `-H "Authorization: Bearer ${key}"`;
  if (scopes.includes("downloads:write")) {
    return {
      command: `curl -sS -X POST ${origin}/api/v1/downloads -H 'Authorization: Bearer ${key}' -H 'Content-Type: application/json' -d '{"url":"${linkPlaceholder}"}'`,
      what: `Queues a download: put the link to download in place of ${linkPlaceholder}.`,
    };
  }
  if (scopes.includes("downloads:read")) return { command: `curl -sS ${auth} ${origin}/api/v1/downloads`, what: "Lists your downloads as JSON." };
  if (scopes.includes("files:read")) return { command: `curl -sS ${auth} ${origin}/api/v1/files`, what: "Lists your files as JSON." };
  if (scopes.includes("admin:read")) return { command: `curl -sS ${auth} ${origin}/api/v1/users`, what: "Lists the users as JSON." };
  if (scopes.includes("files:write")) {
    return {
      command: `curl -sS -X PATCH ${auth} -H "Content-Type: application/json" -d '{"pinned":true}' ${origin}/api/v1/files/FILE_ID`,
      what: "Pins a file (put a file's id in place of FILE_ID).",
    };
  }
  return { command: `curl -sS ${auth} ${origin}/api/v1/downloads`, what: "Calls the API with the key." };
}
