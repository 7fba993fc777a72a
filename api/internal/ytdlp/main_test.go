package ytdlp

import (
	"testing"

	"github.com/downlink/downlink/api/internal/proc"
)

// TestMain lets the test binary serve as its own process guard, as the
// downlink binary does, so every Run in these tests goes through it.
func TestMain(m *testing.M) { proc.GuardMain(m) }
