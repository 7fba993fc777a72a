package downloads

import (
	"github.com/google/uuid"
	"github.com/riverqueue/river"
)

// Job kinds and queues. Each platform has its own queue so its concurrency
// can be set on its own.
const (
	jobKindDownload = "download"
	// Queue names are the platform names.
	QueueYouTube   = "youtube"
	QueueSpotify   = "spotify"
	QueueInstagram = "instagram"
	QueueGeneric   = "generic"
)

// Queues lists the download queues.
var Queues = []string{QueueYouTube, QueueSpotify, QueueInstagram, QueueGeneric}

// JobArgs is a download job: which row to work.
type JobArgs struct {
	DownloadID uuid.UUID `json:"download_id"`
	Platform   string    `json:"platform"`
}

// Kind implements river.JobArgs.
func (JobArgs) Kind() string { return jobKindDownload }

func insertOpts(platform string) *river.InsertOpts {
	q := platform
	switch platform {
	case QueueYouTube, QueueSpotify, QueueInstagram, QueueGeneric:
	default:
		q = QueueGeneric
	}
	return &river.InsertOpts{Queue: q, MaxAttempts: 25}
}
