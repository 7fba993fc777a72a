// A small program against the client @hey-api/openapi-ts generates from
// openapi.yaml (clients/.gen): the integrator's flow with the generated types
// only. `npm run check:clients` generates the client and type-checks this
// file; it is not run.
import { createClient } from "./.gen/client";
import {
  cancelDownload,
  createApiKey,
  createDownload,
  deleteDownload,
  getFileContent,
  listDownloads,
  listFiles,
  login,
  retryDownload,
  streamEvents,
} from "./.gen/sdk.gen";
import type { Download, DownloadStatus, EventData, LibraryFile } from "./.gen/types.gen";

export async function flow(baseUrl: string, email: string, password: string): Promise<LibraryFile[]> {
  const browser = createClient({ baseUrl, credentials: "include" });
  await login({ client: browser, body: { email, password }, throwOnError: true });
  const { data: key } = await createApiKey({
    client: browser,
    body: { name: "integration", scopes: ["downloads:read", "downloads:write", "files:read"] },
    throwOnError: true,
  });
  const api = createClient({ baseUrl, headers: { Authorization: `Bearer ${key.key}` } });

  const { data: created } = await createDownload({
    client: api,
    body: { url: "https://www.youtube.com/watch?v=dQw4w9WgXcQ", preset: "audio" },
    headers: { "Idempotency-Key": crypto.randomUUID() },
    throwOnError: true,
  });
  const id: string = created.id;

  // Reconnect after the last event read: the server replays what was missed.
  const lastEventId: string = "7f3a9c21-12";
  const stream = await streamEvents({ client: api, headers: { "Last-Event-ID": lastEventId }, parseAs: "stream" });
  void stream;
  const onEvent = (name: keyof EventData, data: EventData[keyof EventData]) => {
    if (name === "events.resync") return "refetch";
    return data && "status" in data ? (data.status as DownloadStatus) : null;
  };
  void onEvent;

  await cancelDownload({ client: api, path: { id }, throwOnError: true });
  const { data: retried } = await retryDownload({ client: api, path: { id }, throwOnError: true });
  const status: DownloadStatus = retried.status;
  const since: string = retried.updated_at;

  const { data: page } = await listDownloads({
    client: api,
    query: { status: [status, "failed"], sort: "updated_at", updated_since: since, limit: 50 },
    throwOnError: true,
  });
  const rows: Download[] = page.items;
  void rows;

  const { data: files } = await listFiles({ client: api, query: { sort: "-updated_at" }, throwOnError: true });
  for (const f of files.items) {
    await getFileContent({ client: api, path: { id: f.id }, headers: { Range: "bytes=0-1023" }, parseAs: "blob" });
  }
  await deleteDownload({ client: api, path: { id }, query: { delete_files: false }, throwOnError: true });
  return files.items;
}
