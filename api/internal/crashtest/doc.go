// Package crashtest kills the real downlink binary in the middle of
// downloads and checks that nothing is lost, nothing is done twice and no
// yt-dlp or ffmpeg outlives its node. It holds tests only.
//
// TestMain builds the binary once (go build, next to the test binary);
// every test starts it as a subprocess with its own data dir and database
// (storetest: SQLite by default, Postgres with TEST_DB=postgres and
// TEST_DATABASE_URL) and talks to it over HTTP like a client would.
//
// These tests are slow on purpose (throttled media, restarts): about a
// minute on SQLite, two to three on Postgres, where a two-node takeover
// (waiting for the 30s rescue job) runs too. They run within `make test` (its -timeout 20m is plenty);
// `go test -short` skips them:
//
//	go test -count=1 ./api/internal/crashtest/...
//	TEST_DB=postgres TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable \
//	    go test -count=1 ./api/internal/crashtest/...
package crashtest
