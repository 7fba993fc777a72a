import type { Schemas } from "@/lib/api/client";

export type Scope = Schemas["Scope"];

/** Every scope, in the order the form lists them, with what it allows in one line. */
export const scopeInfo: { scope: Scope; label: string; help: string; admin?: boolean }[] = [
  { scope: "downloads:read", label: "Read downloads", help: "List downloads, follow their progress and the live event stream." },
  { scope: "downloads:write", label: "Manage downloads", help: "Start, cancel, retry and delete downloads." },
  { scope: "files:read", label: "Read files", help: "List and fetch files from the library, see storage use." },
  { scope: "files:write", label: "Manage files", help: "Pin, unpin and delete files." },
  { scope: "admin:read", label: "Admin: read", help: "Read users, logs, settings and webhooks.", admin: true },
  { scope: "admin:write", label: "Admin: write", help: "Change users, settings and webhooks, run retention.", admin: true },
];

export const allScopes = scopeInfo.map((s) => s.scope);
