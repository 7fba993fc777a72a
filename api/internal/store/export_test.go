package store

import "time"

// SetRequestTxTimeout shortens a request transaction's deadline for a
// test; the returned func restores it.
func SetRequestTxTimeout(d time.Duration) (restore func()) {
	old := requestTxTimeout
	requestTxTimeout = d
	return func() { requestTxTimeout = old }
}
