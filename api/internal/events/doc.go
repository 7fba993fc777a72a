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
// Each bus numbers the events it fans out in a bounded history (the last
// DefaultHistoryEvents events, at most DefaultHistoryBytes of them; see
// WithHistory): Event.Cursor, "<epoch>-<seq>", is the SSE id. A client that
// reconnects with Last-Event-ID (or ?last_event_id=) gets, before the live
// events, exactly the events after that cursor its filter lets through
// (Subscribe WithResume takes the history and registers under one lock, so
// nothing falls between replay and live). The epoch is random per bus, so a
// cursor from another node, from before a restart, or older than the
// history is recognized: the Hub then sends TypeResync, whose id is the
// current head, and the client refetches.
//
// On Postgres every node delivers every event, but each numbers them in its
// own arrival order, so cursors are per node: behind a load balancer
// without sticky sessions a reconnect that lands on another node resyncs
// instead of replaying. When a node's listener reconnects, the events other
// nodes published meanwhile never arrived: the bus sends TypeResync to every
// local subscriber and records it in the history, so a client replaying
// across that gap receives it too. A client receiving TypeResync should
// refetch the state it shows.
package events
