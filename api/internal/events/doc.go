// Package events is Downlink's live event bus and its Server-Sent Events hub.
//
// Producers (download workers, the files and logs services) Publish small
// Events; consumers Subscribe with a Filter and read a channel. Publishing
// never waits for consumers: every subscriber has a bounded buffer and an
// event that does not fit is dropped for that subscriber alone and counted.
// The SSE Hub turns subscriptions into text/event-stream responses and closes
// the stream of a client that falls behind, so the browser reconnects and
// refetches instead of slowing anyone else down.
//
// # Two buses
//
// InProcessBus serves a single process (the SQLite default). PostgresBus
// serves many nodes on one Postgres database: it delivers an event to this
// node's subscribers directly and sends it to the other nodes with
// pg_notify; each node holds one dedicated LISTEN connection that reconnects
// with backoff. A node ignores the echo of its own notifications, so every
// subscriber sees an event exactly once.
//
// # Payload size
//
// Postgres refuses NOTIFY payloads of 8000 bytes or more. Events should stay
// small (an object's id and the fields that changed). When the encoded
// envelope of an event is larger than MaxNotifyBytes, the other nodes receive
// a compact reference instead: Data is replaced by {"id":…,"truncated":true}
// (the id is copied from Data's top-level "id" when there is one) and
// Event.Truncated is set. A receiver that sees truncated data refetches the
// object through the REST API. Subscribers on the publishing node always get
// the full event.
//
// # Gaps and Last-Event-ID
//
// There is no replay store. Events published while a node's listener is
// reconnecting, or while an SSE client is away, are not delivered later.
// Instead the bus sends a TypeResync event to every local subscriber after
// its listener reconnects, and the Hub sends one as the first event to a
// client that reconnects with a Last-Event-ID header. A client receiving
// TypeResync should refetch the state it shows.
package events
