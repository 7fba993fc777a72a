// Package proc is the one way Downlink starts a child process: yt-dlp's
// downloads, probes and listings, the Spotify search fallback, ffmpeg
// writing tags, the version checks, anything added later.
//
// Every child gets the same treatment: its own process group, led by a
// small guard (this executable with GuardArg) that has the parent-death
// signal and kills the whole group when Downlink dies, so an ffmpeg that
// yt-dlp started never outlives it; the thread that forks stays locked so
// the signal is not lost when Go retires it; an environment of HOME, PATH
// and LANG only (no DOWNLINK_* secret, database URL or proxy variable);
// SIGTERM to the group on cancel and SIGKILL after a grace; whatever is left
// of the group killed when the child ends; output through bounded writers
// (Head, Tail, Lines). KillLeftovers finds the groups a crashed node left.
//
// A child may also come warm from a fork server (Spec.ForkServer, see
// warm.go and package ytdlp/warm): the guard is started as always and asks
// the server to fork the child into its group with its stdio, environment
// and folder, and execs the child itself when the server cannot.
package proc
