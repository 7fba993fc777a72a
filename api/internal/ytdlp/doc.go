// Package ytdlp runs yt-dlp for Downlink.
//
// It owns everything between a download job and the yt-dlp process: the
// allow-list of user options (Options) and their validation, the argument
// vector (built with go-ytdlp's typed flags, always with --ignore-config,
// --no-exec, our own output paths and "--" before the URL), the process
// (started through proc like every child: own process group led by the
// guard, reduced environment, group kill on cancel, pid files for a
// restarted node to clean up; a Python yt-dlp forked warm from a fork
// server when Config.Warm is set, see package warm), the progress lines it prints
// (ParseLine) and the mapping of its failures to a safe reason (ExitError).
//
// One yt-dlp process runs per media item: title, duration and thumbnail
// arrive through --print from the same run that downloads, never from a
// second -J call. Probe and ListPlaylist are the exceptions, for explicit
// user requests.
package ytdlp
