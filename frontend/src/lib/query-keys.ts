import type { paths } from "@/lib/api/schema";

export type DownloadListParams = NonNullable<paths["/api/v1/downloads"]["get"]["parameters"]["query"]>;
export type FileListParams = NonNullable<paths["/api/v1/files"]["get"]["parameters"]["query"]>;

/**
 * Query keys shared by the features that own each endpoint and by the live
 * event stream, which edits these caches in place.
 */
export const queryKeys = {
  me: ["auth", "me"] as const,
  providers: ["auth", "providers"] as const,
  sessions: ["auth", "sessions"] as const,
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
  },
  storage: ["storage"] as const,
  stats: ["stats"] as const,
  system: ["system"] as const,
};
