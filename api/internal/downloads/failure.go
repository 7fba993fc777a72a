package downloads

import (
	"context"
	"errors"

	"github.com/downlink/downlink/api/internal/files"
	"github.com/downlink/downlink/api/internal/ytdlp"
)

// reasonCodes maps yt-dlp failure reasons to the API's error codes.
var reasonCodes = map[ytdlp.Reason]string{
	ytdlp.ReasonUnavailable: "unavailable", ytdlp.ReasonPrivate: "private", ytdlp.ReasonGeoBlocked: "geo_blocked",
	ytdlp.ReasonLoginRequired: "login_required", ytdlp.ReasonBotCheck: "bot_check",
	ytdlp.ReasonUnsupportedURL: "unsupported_url", ytdlp.ReasonNetwork: "network", ytdlp.ReasonDiskFull: "disk_full",
	ytdlp.ReasonHostNotFound: "host_not_found", ytdlp.ReasonConnectionRefused: "connection_refused", ytdlp.ReasonProxyFailed: "proxy_failed",
	ytdlp.ReasonBlockedDestination: "blocked_destination", ytdlp.ReasonLive: "live",
	ytdlp.ReasonRateLimited: "rate_limited", ytdlp.ReasonDRM: CodeDRM,
	// A platform's handler may say more (YouTube: youtube_blocked).
	ytdlp.ReasonFormatUnavailable: "unavailable", ytdlp.ReasonMediaForbidden: "network",
}

// CodeDRM is the error code of DRM-protected media: never retried.
const CodeDRM = "drm"

// failureOf turns an error into the code and message users see.
func failureOf(err error) (code, msg string) {
	var ee *ytdlp.ExitError
	var pf *platformFailure
	switch {
	case errors.As(err, &pf):
		return pf.code, pf.message
	case errors.As(err, &ee):
		code = reasonCodes[ee.Reason]
		if code == "" {
			code = "internal"
		}
		return code, ee.SafeMessage
	case errors.Is(err, ytdlp.ErrNotInstalled):
		return "ytdlp_missing", "yt-dlp is not installed on the server (or DOWNLINK_YTDLP_PATH is wrong); an administrator must install it."
	case errors.Is(err, files.ErrDiskFull):
		return "disk_full", "The disk is full: the download could not be saved."
	}
	return "internal", "Something went wrong on the server; an administrator can find the cause in the logs."
}

// platformFailure is a failure a platform handler explains itself.
type platformFailure struct{ code, message string }

func (e *platformFailure) Error() string { return e.code + ": " + e.message }

// Failure lets platform handlers fail an item with their own code.
func Failure(code, message string) error { return &platformFailure{code: code, message: message} }

// fail marks a row failed (fenced) and cleans its folder.
func (s *Service) fail(ctx context.Context, r *row, jobID int64, err error) {
	code, msg := failureOf(s.explain(r.Platform, err))
	s.log.Warn("download failed", "download_id", r.ID, "platform", r.Platform, "code", code, "err", err)
	fields := map[string]any{"error_code": code, "error_message": msg, "error_details": nil}
	// What yt-dlp warned of before failing is often the cause (no
	// JavaScript runtime, then no format): shown with the failure.
	var ee *ytdlp.ExitError
	if errors.As(err, &ee) && len(ee.Degradations) > 0 {
		fields["warnings"] = warningsColumn(s.degraded(r, ee.Degradations))
	}
	if ee != nil {
		if d := ytdlp.TechnicalDetails(ee.Stderr); d != "" {
			fields["error_details"] = d
		}
	}
	_, txErr := s.moveOne(ctx, r.ID, jobID, StatusFailed, fields)
	if txErr != nil {
		s.log.Error("cannot mark download failed", "download_id", r.ID, "err", txErr)
	}
	s.removeJobDir(r.ID)
	s.metrics.DownloadsFinished.WithLabelValues(r.Platform, string(StatusFailed)).Inc()
	s.publishRow(ctx, r.ID)
	if r.ParentID != nil {
		s.refreshParent(ctx, *r.ParentID)
	}
}

// finishCanceled cleans up after a cancel: the process is gone, its folder
// goes too, and the row says canceled.
func (s *Service) finishCanceled(ctx context.Context, r *row, jobID int64) {
	// Usually Cancel moved the row already; a cancel that reached the run
	// first (the heartbeat saw it) moves it here.
	_, err := s.moveOne(ctx, r.ID, jobID, StatusCanceled, nil)
	if err != nil {
		s.log.Error("cannot mark download canceled", "download_id", r.ID, "err", err)
	}
	s.removeJobDir(r.ID)
	s.metrics.DownloadsFinished.WithLabelValues(r.Platform, string(StatusCanceled)).Inc()
	s.publishRow(ctx, r.ID)
	if r.ParentID != nil {
		s.refreshParent(ctx, *r.ParentID)
	}
}

// Explain is the code and message a failure shows its user (what a
// failed download would say), for work beside downloads that fails the
// same ways (a subscription's listing).
func Explain(err error) (code, msg string) { return failureOf(err) }
