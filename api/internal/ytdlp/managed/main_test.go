package managed_test

import (
	"testing"

	"github.com/downlink/downlink/api/internal/proc"
	"github.com/downlink/downlink/api/internal/store/storetest"
)

// TestMain lets the test binary be the yt-dlp process guard, as downlink
// is, so the --version checks run the way they do in production; and
// drops storetest's template database at the end.
func TestMain(m *testing.M) {
	proc.RunGuardIfRequested()
	storetest.Main(m)
}
