package managed

import (
	"context"

	"github.com/downlink/downlink/api/internal/problem"
)

// Mode is how Downlink keeps its yt-dlp current.
type Mode string

// Modes.
const (
	// ModeOff never looks for releases by itself (air-gapped installs); an
	// admin can still check, update and upload by hand.
	ModeOff Mode = "off"
	// ModeNotify checks daily and shows what is available; an admin updates.
	ModeNotify Mode = "notify"
	// ModeAuto checks daily and installs a newer release on every node.
	ModeAuto Mode = "auto"
)

// Channel is the release line followed.
type Channel string

// Channels, with the repositories yt-dlp's own updater uses for them.
const (
	ChannelStable  Channel = "stable"
	ChannelNightly Channel = "nightly"
)

var channelRepos = map[Channel]string{
	ChannelStable:  "yt-dlp/yt-dlp",
	ChannelNightly: "yt-dlp/yt-dlp-nightly-builds",
}

// Repo is the GitHub repository whose releases make up the channel.
func (c Channel) Repo() string { return channelRepos[c] }

// Policy is the admin's choice: the "yt-dlp updates" setting.
type Policy struct {
	Mode    Mode    `json:"mode"`
	Channel Channel `json:"channel"`
}

// DefaultPolicy notifies about stable releases.
var DefaultPolicy = Policy{Mode: ModeNotify, Channel: ChannelStable}

// Validate returns a 422 problem naming each bad field.
func (p Policy) Validate() error {
	bad := problem.ErrValidation
	switch p.Mode {
	case ModeOff, ModeNotify, ModeAuto:
	default:
		bad = bad.WithField("mode", "must be off, notify or auto")
	}
	if p.Channel.Repo() == "" {
		bad = bad.WithField("channel", "must be stable or nightly")
	}
	if len(bad.Errors) > 0 {
		return bad
	}
	return nil
}

// PolicySource gives the current policy (the settings service).
type PolicySource interface {
	YtdlpPolicy(ctx context.Context) Policy
}
