// Package clustertest runs Downlink as a cluster of real processes: one
// `downlink serve` (DOWNLINK_WORKERS=0) and `downlink worker` processes on
// one Postgres database and one shared data dir, as docs/scaling.md tells
// an operator to, and checks that they share the work, that every node's
// events reach an SSE client of the API node, and that a worker killed
// with SIGKILL loses nothing; and that a yt-dlp update sent from the API
// reaches every process (sharing the data dir, they share one copy). It
// also runs a node whose library is on S3 (gofakes3 in the test process).
// It holds tests only.
//
// TestMain builds the binary once. The multi-node test needs Postgres and
// is skipped on SQLite; both tests are skipped with -short:
//
//	TEST_DB=postgres TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable \
//	    go test -count=1 ./api/internal/clustertest/...
package clustertest
