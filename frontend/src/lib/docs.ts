/** Where Downlink's documentation is read (the repository's docs folder). */
export const docsBase = "https://github.com/downlink/downlink/blob/main/docs/";

/** docsUrl("youtube.md#cookies") → the page (and section) in the docs. */
export const docsUrl = (page: string) => docsBase + page;
