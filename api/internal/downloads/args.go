package downloads

import (
	"github.com/google/uuid"
	"github.com/riverqueue/river"

	"github.com/downlink/downlink/api/internal/platforms"
)

// jobKindDownload is the River kind of download jobs. Each platform has its
// own queue, named after it (platforms.Names), so its concurrency can be
// set on its own.
const jobKindDownload = "download"

// JobArgs is a download job: which row to work.
type JobArgs struct {
	DownloadID uuid.UUID `json:"download_id"`
	Platform   string    `json:"platform"`
}

// Kind implements river.JobArgs.
func (JobArgs) Kind() string { return jobKindDownload }

// insertOpts puts a download on its platform's queue.
func insertOpts(platform string) *river.InsertOpts {
	q := platform
	if !platforms.Known(platform) {
		q = string(platforms.Generic)
	}
	return &river.InsertOpts{Queue: q, MaxAttempts: 25}
}
