import type { paths } from "@/lib/api/schema";

export type DownloadListParams = NonNullable<paths["/api/v1/downloads"]["get"]["parameters"]["query"]>;
export type FileListParams = NonNullable<paths["/api/v1/files"]["get"]["parameters"]["query"]>;
export type ApiKeyListParams = NonNullable<paths["/api/v1/api-keys"]["get"]["parameters"]["query"]>;
export type LogListParams = NonNullable<paths["/api/v1/logs"]["get"]["parameters"]["query"]>;
export type UserListParams = NonNullable<paths["/api/v1/users"]["get"]["parameters"]["query"]>;

/**
 * Query keys shared by the features that own each endpoint and by the live
 * event stream, which edits these caches in place.
 */
export const queryKeys = {
  me: ["auth", "me"] as const,
  providers: ["auth", "providers"] as const,
  sessions: ["auth", "sessions"] as const,
  preferences: ["auth", "preferences"] as const,
  downloads: {
    all: ["downloads"] as const,
    lists: ["downloads", "list"] as const,
    list: (params: Omit<DownloadListParams, "cursor">) => ["downloads", "list", params] as const,
    details: ["downloads", "detail"] as const,
    detail: (id: string) => ["downloads", "detail", id] as const,
  },
  files: {
    all: ["files"] as const,
    list: (params: Omit<FileListParams, "cursor">) => ["files", "list", params] as const,
  },
  logs: {
    all: ["logs"] as const,
    forDownload: (id: string) => ["logs", "download", id] as const,
    list: (params: Omit<LogListParams, "cursor">) => ["logs", "list", params] as const,
  },
  apiKeys: {
    all: ["api-keys"] as const,
    list: (params: Omit<ApiKeyListParams, "cursor">) => ["api-keys", "list", params] as const,
    usage: (id: string, days: number) => ["api-keys", "usage", id, days] as const,
  },
  settings: {
    all: ["settings"] as const,
    global: ["settings", "global"] as const,
    platforms: ["settings", "platforms"] as const,
    accounts: ["settings", "accounts"] as const,
    spotifyAccount: ["settings", "spotify-account"] as const,
    relayout: ["settings", "relayout"] as const,
  },
  webhooks: {
    all: ["webhooks"] as const,
    list: ["webhooks", "list"] as const,
    deliveries: (id: string) => ["webhooks", "deliveries", id] as const,
  },
  subscriptions: {
    all: ["subscriptions"] as const,
    list: ["subscriptions", "list"] as const,
  },
  users: {
    all: ["users"] as const,
    list: (params: Omit<UserListParams, "cursor">) => ["users", "list", params] as const,
  },
  // Under "storage", so whatever refreshes storage refreshes these too.
  storage: ["storage"] as const,
  retentionPreview: ["storage", "retention-preview"] as const,
  orphans: ["storage", "orphans"] as const,
  stats: ["stats"] as const,
  platforms: ["platforms"] as const,
  system: ["system"] as const,
  // Under "system", so refreshing the system view refreshes it too.
  ytdlp: ["system", "ytdlp"] as const,
};
