// An integrator's whole flow against a running Downlink, written with
// nothing but the client @hey-api/openapi-ts generates from openapi.yaml
// (clients/.gen): sign in, create an API key, submit a download, follow it on
// the event stream until it completes, drop a stream and come back with
// Last-Event-ID (the missed events are replayed, exactly), fetch the file
// whole and with Range, then cancel, retry and delete.
//
// `npm run check:clients` type-checks it; the browser journey (e2e, part of
// `make test`) compiles it with a freshly generated client and runs it
// against the real server (e2e/steps/ts-client.mjs). Any surprise throws.
import { type Client, createClient } from "./.gen/client/index.js";
import type { StreamEvent } from "./.gen/core/serverSentEvents.gen.js";
import {
  cancelDownload,
  createApiKey,
  createDownload,
  deleteDownload,
  getDownload,
  getFileContent,
  login,
  retryDownload,
  streamEvents,
} from "./.gen/sdk.gen.js";
import type { Download, DownloadStatus, EventData, EventType, LibraryFile, StreamEventsData, TruncatedEventData } from "./.gen/types.gen.js";

export type FlowOptions = {
  baseUrl: string;
  email: string;
  password: string;
  /** A media link the server downloads in a few seconds. */
  mediaUrl: string;
  /** A media link that takes long enough to be canceled while it downloads. */
  slowMediaUrl: string;
  /** The bytes mediaUrl serves, when the caller knows them. */
  mediaBytes?: Uint8Array;
  log?: (line: string) => void;
};

export type FlowResult = {
  downloadId: string;
  fileId: string;
  replayed: number;
  statuses: DownloadStatus[];
  sizeBytes: number;
};

const waitMs = 120_000;

class FlowFailed extends Error {}

function check(cond: unknown, what: string): asserts cond {
  if (!cond) throw new FlowFailed(`expected: ${what}`);
}

/** The data of an event, typed by its name as EventData says. */
function dataOf<T extends EventType>(e: StreamEvent<unknown>, name: T): Exclude<NonNullable<EventData[T]>, TruncatedEventData> {
  check(e.event === name, `a ${name} event (got ${e.event})`);
  check(e.data && typeof e.data === "object" && !("truncated" in e.data), `${name} carries its object (got ${JSON.stringify(e.data)})`);
  return e.data as Exclude<NonNullable<EventData[T]>, TruncatedEventData>;
}

/** One open event stream: everything it delivered, in order. */
function openStream(api: Client, name: string, headers?: StreamEventsData["headers"]) {
  const ctrl = new AbortController();
  const events: StreamEvent<unknown>[] = [];
  let failure: unknown = null;
  let wake = () => {};
  let opened = false;
  const ended = (async () => {
    const { stream } = await streamEvents({
      client: api,
      headers,
      signal: ctrl.signal,
      // One connection: this flow reconnects on purpose, not the client.
      sseMaxRetryAttempts: 1,
      onSseEvent: (e) => {
        opened = true; // the server opens every stream with a retry/id block
        if (e.event) events.push(e);
        wake();
      },
      onSseError: (err) => {
        if (!ctrl.signal.aborted) failure = err;
        wake();
      },
    });
    for await (const _ of stream) {
      // events are collected by onSseEvent, with their names and ids
    }
  })();

  /** Waits until an event at index `from` or later matches; returns its index. */
  async function until(what: string, match: (e: StreamEvent<unknown>) => boolean, from = 0): Promise<number> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const i = events.findIndex((e, j) => j >= from && match(e));
      if (i >= 0) return i;
      if (failure) throw new FlowFailed(`${name} stream failed while waiting for ${what}: ${String(failure)}`);
      if (Date.now() > deadline) {
        throw new FlowFailed(`${name} stream: no ${what} within ${waitMs / 1000} s; got ${events.map((e) => e.event).join(", ") || "nothing"}`);
      }
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, 250);
      });
    }
  }

  return {
    events,
    until,
    async ready() {
      const deadline = Date.now() + waitMs;
      while (!opened) {
        if (failure) throw new FlowFailed(`${name} stream did not open: ${String(failure)}`);
        if (Date.now() > deadline) throw new FlowFailed(`${name} stream did not open`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async close() {
      ctrl.abort();
      await ended.catch(() => {});
    },
  };
}

const is = (name: EventType, id: string, status?: DownloadStatus) => (e: StreamEvent<unknown>) =>
  e.event === name &&
  typeof e.data === "object" &&
  e.data !== null &&
  (e.data as { id?: unknown }).id === id &&
  (status === undefined || (e.data as Download).status === status);

export async function runFlow(o: FlowOptions): Promise<FlowResult> {
  const log = o.log ?? (() => {});

  // Sign in with e-mail and password; the session cookie is the spec's
  // cookie security scheme, which the generated client sends through `auth`.
  const anon = createClient({ baseUrl: o.baseUrl });
  const signedIn = await login({ client: anon, body: { email: o.email, password: o.password } });
  check(signedIn.response.status === 200, `login answers 200 (got ${signedIn.response.status} ${JSON.stringify(signedIn.error)})`);
  const cookies = new Map(
    signedIn.response.headers.getSetCookie().map((c) => {
      const [pair] = c.split(";");
      const at = pair.indexOf("=");
      return [pair.slice(0, at), pair.slice(at + 1)] as const;
    }),
  );
  const session = createClient({
    baseUrl: o.baseUrl,
    auth: (scheme) => (scheme.in === "cookie" && scheme.name ? cookies.get(scheme.name) : undefined),
  });

  const created = await createApiKey({
    client: session,
    body: { name: "TypeScript client flow", scopes: ["downloads:read", "downloads:write", "files:read", "files:write"] },
  });
  check(created.response.status === 201 && created.data, `a new key: 201 (got ${created.response.status} ${JSON.stringify(created.error)})`);
  const key = created.data.key;
  check(/^dlk_[0-9A-Za-z]{49}$/.test(key), "the key looks like dlk_…");
  check(created.data.scopes.includes("files:write") && key.endsWith(created.data.last_eight), "the key has its scopes and shows its last eight characters");
  log(`key ${created.data.id} (…${created.data.last_eight})`);

  // From here on, only the key: Authorization: Bearer (the spec's http scheme).
  const api = createClient({ baseUrl: o.baseUrl, auth: (scheme) => (scheme.type === "http" ? key : undefined) });

  // `all` stays connected throughout: what a client that never dropped saw.
  const all = openStream(api, "reference");
  const first = openStream(api, "first");
  await Promise.all([all.ready(), first.ready()]);

  const idem = crypto.randomUUID();
  const sub = await createDownload({ client: api, body: { url: o.mediaUrl }, headers: { "Idempotency-Key": idem } });
  check(sub.response.status === 202 && sub.data, `submit: 202 (got ${sub.response.status} ${JSON.stringify(sub.error)})`);
  check(sub.data.status === "queued" && sub.data.url === o.mediaUrl, `the download is queued for the link (got ${sub.data.status})`);
  const id = sub.data.id;
  const replay = await createDownload({ client: api, body: { url: o.mediaUrl }, headers: { "Idempotency-Key": idem } });
  check(replay.data?.id === id, `the same Idempotency-Key gives the same download (got ${replay.response.status} ${replay.data?.id})`);
  log(`download ${id} queued`);

  // The first stream sees download.created; then it drops.
  const createdAt = await first.until("download.created", is("download.created", id));
  const cut = first.events[createdAt];
  check(cut.id, "every event has an id");
  check(dataOf(cut, "download.created").status === "queued", "download.created carries the queued download");
  await first.close();
  log(`first stream dropped after event ${cut.id}`);

  // While it is away the download runs to the end.
  const done = await all.until(`download ${id} completed or failed`, (e) =>
    ["completed", "failed", "canceled"].some((s) => is("download.updated", id, s as DownloadStatus)(e)),
  );
  const finished = dataOf(all.events[done], "download.updated");
  check(finished.status === "completed", `the download completes (got ${finished.status}: ${JSON.stringify(finished.error)})`);
  const fileAt = await all.until("file.created", (e) => e.event === "file.created" && (e.data as LibraryFile).download_id === id);
  const file = dataOf(all.events[fileAt], "file.created");
  const statuses = all.events.filter(is("download.updated", id)).map((e) => dataOf(e, "download.updated").status);
  check(statuses.includes("downloading") && statuses.at(-1) === "completed", `download.updated went through downloading to completed (${statuses.join(" → ")})`);
  check(all.events.some(is("download.progress", id)), "download.progress events while it downloaded");
  const lastSeen = all.events[Math.max(done, fileAt)];
  log(`completed (${statuses.join(" → ")}), file ${file.id} (${file.size_bytes} bytes)`);

  // Back with Last-Event-ID: exactly the events the reference stream got
  // after the cut, in the same order with the same ids and data.
  const missed = all.events.slice(all.events.findIndex((e) => e.id === cut.id) + 1, all.events.indexOf(lastSeen) + 1);
  check(missed.length > 0 && all.events.some((e) => e.id === cut.id), "the reference stream saw the cut and what followed");
  const back = openStream(api, "reconnected", { "Last-Event-ID": cut.id });
  await back.until(`event ${lastSeen.id} (the last one missed)`, (e) => e.id === lastSeen.id);
  const replayed = back.events.slice(0, missed.length);
  check(!back.events.some((e) => e.event === "events.resync"), "a replay, not events.resync");
  for (const [i, want] of missed.entries()) {
    const got = replayed[i];
    check(
      got && got.id === want.id && got.event === want.event && JSON.stringify(got.data) === JSON.stringify(want.data),
      `replayed event ${i + 1}/${missed.length} is ${want.event} ${want.id} (got ${got?.event} ${got?.id})`,
    );
  }
  await back.close();
  log(`reconnected with Last-Event-ID: ${missed.length} missed events replayed`);

  // The download and its file, whole and in part.
  const got = await getDownload({ client: api, path: { id } });
  check(got.data?.status === "completed" && got.data.files.some((f) => f.id === file.id), "getDownload: completed, with the file");
  const whole = await getFileContent({ client: api, path: { id: file.id }, parseAs: "arrayBuffer" });
  const bytes = new Uint8Array(whole.data as unknown as ArrayBuffer);
  check(whole.response.status === 200, `file content: 200 (got ${whole.response.status})`);
  check(bytes.length === file.size_bytes && bytes.length > 2048, `the whole file, ${file.size_bytes} bytes (got ${bytes.length})`);
  check(whole.response.headers.get("Content-Type") === file.mime_type, `Content-Type ${file.mime_type} (got ${whole.response.headers.get("Content-Type")})`);
  if (o.mediaBytes) {
    check(bytes.length === o.mediaBytes.length && bytes.every((b, i) => b === o.mediaBytes![i]), "the file is the bytes the media link served");
  }
  const part = await getFileContent({ client: api, path: { id: file.id }, headers: { Range: "bytes=1000-2023" }, parseAs: "arrayBuffer" });
  const partBytes = new Uint8Array(part.data as unknown as ArrayBuffer);
  check(part.response.status === 206, `Range: 206 (got ${part.response.status})`);
  check(part.response.headers.get("Content-Range") === `bytes 1000-2023/${bytes.length}`, `Content-Range bytes 1000-2023/${bytes.length} (got ${part.response.headers.get("Content-Range")})`);
  check(partBytes.length === 1024 && partBytes.every((b, i) => b === bytes[1000 + i]), "the range's 1024 bytes are the file's bytes 1000-2023");
  log(`file: 200 with ${bytes.length} bytes, Range 206 with the right 1024`);

  // A finished download cannot be canceled: a problem to branch on.
  const late = await cancelDownload({ client: api, path: { id } });
  check(late.response.status === 409 && late.error?.status === 409 && late.error.type, `cancel after completion: 409 problem (got ${late.response.status})`);

  // Cancel a slow one while it downloads, retry it, cancel it again.
  const slow = await createDownload({ client: api, body: { url: o.slowMediaUrl } });
  check(slow.response.status === 202 && slow.data, `submit the slow one: 202 (got ${slow.response.status})`);
  const slowId = slow.data.id;
  const from = all.events.length;
  await all.until("the slow download downloading", is("download.updated", slowId, "downloading"), from);
  const canceled = await cancelDownload({ client: api, path: { id: slowId } });
  check(canceled.response.status === 200 && canceled.data?.status === "canceled", `cancel: 200 canceled (got ${canceled.response.status} ${canceled.data?.status})`);
  const canceledAt = await all.until("download.updated canceled", is("download.updated", slowId, "canceled"), from);
  const retried = await retryDownload({ client: api, path: { id: slowId } });
  check(retried.response.status === 202 && retried.data?.status === "queued", `retry: 202 queued (got ${retried.response.status} ${retried.data?.status})`);
  // An update carries the download as it is when sent: a worker may have
  // picked the retried one up already, so "queued" itself may be skipped.
  const requeued = await all.until(
    "download.updated after the retry, no longer canceled",
    (e) => is("download.updated", slowId)(e) && (e.data as Download).status !== "canceled",
    canceledAt + 1,
  );
  const recanceled = await cancelDownload({ client: api, path: { id: slowId } });
  check(recanceled.response.status === 200 && recanceled.data?.status === "canceled", `cancel the retried one: 200 canceled (got ${recanceled.response.status})`);
  await all.until("canceled again", is("download.updated", slowId, "canceled"), requeued + 1);
  log(`slow download ${slowId}: canceled, retried, canceled`);

  // Delete both, the first with its file.
  const del = await deleteDownload({ client: api, path: { id }, query: { delete_files: true } });
  check(del.response.status === 204, `delete with files: 204 (got ${del.response.status} ${JSON.stringify(del.error)})`);
  const del2 = await deleteDownload({ client: api, path: { id: slowId } });
  check(del2.response.status === 204, `delete the slow one: 204 (got ${del2.response.status})`);
  await all.until("download.deleted", is("download.deleted", id), from);
  await all.until("file.deleted", is("file.deleted", file.id), from);
  await all.until("download.deleted (slow)", is("download.deleted", slowId), from);
  const gone = await getDownload({ client: api, path: { id } });
  check(gone.response.status === 404 && gone.error?.status === 404, `the deleted download: 404 problem (got ${gone.response.status})`);
  const goneFile = await getFileContent({ client: api, path: { id: file.id } });
  check(goneFile.response.status === 404, `its file: 404 (got ${goneFile.response.status})`);
  await all.close();
  log("deleted: download.deleted and file.deleted on the stream, 404 after");

  return { downloadId: id, fileId: file.id, replayed: missed.length, statuses, sizeBytes: bytes.length };
}
