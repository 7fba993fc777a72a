package ytdlp

// Every line Downlink asks yt-dlp to print starts with LinePrefix followed
// by a kind and one JSON value, e.g.
//
//	@@downlink:progress {"status": "downloading", "downloaded_bytes": 1024, "total_bytes": 72881}
//
// yt-dlp's own output lines start with "[", "ERROR:", "WARNING:" or plain
// words, never with "@@", and the JSON is one line (yt-dlp's "j"
// conversion escapes newlines), so a line is ours exactly when it starts
// with the prefix.
const LinePrefix = "@@downlink:"

// Line kinds after LinePrefix.
const (
	kindProgress    = "progress"
	kindPostProcess = "postprocess"
	kindInfo        = "info"
	kindFile        = "file"
)

// The templates passed to yt-dlp. The progress templates select only the
// fields Downlink shows instead of dumping the whole info dict on every
// update; the info line is printed once per item before the download
// starts, and the file line once per finished file after it was moved into
// Job.DoneDir.
const (
	// The format id after the progress object tells the streams of a merged
	// download (video, then audio) apart, each counting from 0 bytes.
	progressTemplate = "download:" + LinePrefix + kindProgress +
		" %(progress.{status,downloaded_bytes,total_bytes,total_bytes_estimate,speed,eta,fragment_index,fragment_count})j" +
		" %(info.format_id)j"
	postProcessTemplate = "postprocess:" + LinePrefix + kindPostProcess +
		" %(progress.{status,postprocessor})j"
	infoPrint = "before_dl:" + LinePrefix + kindInfo +
		" %(.{id,display_id,title,duration,thumbnail,extractor,extractor_key,webpage_url,uploader,playlist_index,ext,format_id,upload_date,channel,artist,album,track,track_number})j"
	filePrint = "after_move:" + LinePrefix + kindFile + " %(filepath)j"
)

// progressDelta is the least time between two progress lines, in seconds:
// fast enough for a live bar, slow enough not to flood the event bus.
const progressDelta = 0.5
