package tags_test

import (
	"testing"

	"github.com/downlink/downlink/api/internal/proc"
)

// TestMain lets the test binary serve as the process guard, as the
// downlink binary does, so ffmpeg starts here as it does in production.
func TestMain(m *testing.M) { proc.GuardMain(m) }
