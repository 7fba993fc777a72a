package downloads

import (
	"context"

	"github.com/downlink/downlink/api/internal/ytdlp"
)

// StaticPolicy is the policy from configuration alone: every dedicated
// platform on, generic sites as configured.
type StaticPolicy struct {
	Generic      bool
	AllowPrivate bool
	MinFree      int64
	// PerPlatform caps each platform's concurrent downloads on this node
	// (0: only the node-wide cap).
	PerPlatform int
}

// Platform implements Policy.
func (p StaticPolicy) Platform(_ context.Context, platform string) PlatformPolicy {
	enabled := platform != QueueGeneric || p.Generic
	return PlatformPolicy{Enabled: enabled, DefaultPreset: ytdlp.PresetBest, AudioFormat: "mp3", MaxConcurrent: p.PerPlatform}
}

// GenericEnabled implements Policy.
func (p StaticPolicy) GenericEnabled(context.Context) bool { return p.Generic }

// MinFreeDisk implements Policy.
func (p StaticPolicy) MinFreeDisk(context.Context) int64 { return p.MinFree }

// AllowPrivateNetworks implements Policy.
func (p StaticPolicy) AllowPrivateNetworks(context.Context) bool { return p.AllowPrivate }
