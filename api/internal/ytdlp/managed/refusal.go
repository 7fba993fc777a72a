package managed

import (
	"fmt"
	"net/http"

	"github.com/downlink/downlink/api/internal/problem"
)

// Code says why an install was refused, for programs (the API, the audit
// trail); Refusal.Message says it for people.
type Code string

// Refusal codes.
const (
	CodeUnreachable      Code = "unreachable"       // the release server did not answer as expected
	CodeTimeout          Code = "timeout"           // the release server stopped sending
	CodeBadRelease       Code = "bad_release"       // the release is not a yt-dlp release Downlink understands
	CodeNoBuild          Code = "no_build"          // no standalone build for this machine in the release
	CodeUnsigned         Code = "unsigned"          // no SHA2-256SUMS or no signature
	CodeBadSignature     Code = "bad_signature"     // the signature does not verify with yt-dlp's key
	CodeNotListed        Code = "not_listed"        // the signed sums do not list the file
	CodeChecksumMismatch Code = "checksum_mismatch" // the file is not the one the signed sums describe
	CodeTruncated        Code = "truncated"         // the download ended early
	CodeTooLarge         Code = "too_large"         // bigger than a yt-dlp build can be
	CodeDiskFull         Code = "disk_full"         // no room for the new version
	CodeDoesNotRun       Code = "does_not_run"      // the file does not run or does not answer --version
	CodeWrongVersion     Code = "wrong_version"     // the file answers another version than the release's
	CodeIO               Code = "io"                // the data folder could not be written
)

// Refusal is an install, update or rollback that did not happen: the
// release or file did not verify, did not run or did not fit. The active
// yt-dlp and the files on disk are as they were.
type Refusal struct {
	Code    Code
	Message string // says why, for the admin
	cause   error
}

func (r *Refusal) Error() string {
	if r.cause != nil {
		return fmt.Sprintf("yt-dlp install refused (%s): %s: %v", r.Code, r.Message, r.cause)
	}
	return fmt.Sprintf("yt-dlp install refused (%s): %s", r.Code, r.Message)
}

// Unwrap gives the cause (for the log) and the problem the API answers
// with: 422, the message as detail and the code as "code".
func (r *Refusal) Unwrap() []error {
	p := ErrRefused.WithDetail("%s", r.Message).With("code", r.Code)
	if r.cause == nil {
		return []error{p}
	}
	return []error{p, r.cause}
}

func refuse(code Code, cause error, format string, args ...any) *Refusal {
	return &Refusal{Code: code, Message: fmt.Sprintf(format, args...), cause: cause}
}

// ErrRefused is the problem a *Refusal answers with.
var ErrRefused = problem.New(http.StatusUnprocessableEntity, "yt-dlp release refused")

// Errors that are not refusals of a release.
var (
	// ErrBusy: another update, rollback or install runs on this node.
	ErrBusy = problem.New(http.StatusConflict, "yt-dlp update in progress").
		WithDetail("Another yt-dlp update, rollback or install runs on this node; try again when it has finished.")
	// ErrNothingToRollBack: no previous version to go back to.
	ErrNothingToRollBack = problem.New(http.StatusConflict, "Nothing to roll back").
				WithDetail("There is no previous yt-dlp to go back to.")
	// ErrStateChanged: the node is no longer in the state a request was
	// made for (another node sharing this data folder acted first).
	ErrStateChanged = problem.New(http.StatusConflict, "yt-dlp changed since the request")
)
