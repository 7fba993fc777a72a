// Package managed keeps Downlink's own yt-dlp current: yt-dlp's standalone
// Linux build, downloaded from its GitHub releases (or a mirror, or files
// an admin uploads), verified, installed per node and switched atomically,
// with the previous version kept for a one-click rollback.
//
// Verification follows what yt-dlp publishes: every release carries
// SHA2-256SUMS and SHA2-256SUMS.sig, a detached OpenPGP signature made with
// yt-dlp's release key (embedded here, see yt-dlp-signing-key.md). A file
// is installed only when the signature over the sums checks out against
// that key, the file's SHA-256 is the one the signed sums give for its
// name, and the file, run with --version, answers the expected version.
// yt-dlp's own updater (yt_dlp/update.py) checks the SHA-256 against the
// sums but not the signature; Downlink checks both.
//
// On disk, under <data dir>/tools/yt-dlp/:
//
//	<version>/yt-dlp_linux   one verified release per folder, never changed once placed
//	state.json               {"active": "<version>", "previous": "<version>"}; "" is the system yt-dlp
//	.lock                    serializes installs between processes (server and CLI)
//	.incoming-*              a download in progress; removed when it fails
//
// Switching writes a new state.json and renames it over the old one, so a
// reader sees the old or the new state, never a mix. New yt-dlp processes
// start from the active version (Installer implements ytdlp.Executable);
// running ones finish on the file they started from, which is kept while
// in use.
//
// Installer is the file side (no database); Service adds the per-node state
// the System page shows, the audit trail, live events and the daily check;
// Dispatcher sends an admin's update, rollback or check to every node
// through the job queue.
package managed
