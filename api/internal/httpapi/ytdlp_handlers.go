package httpapi

import (
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/downlink/downlink/api/internal/problem"
	"github.com/downlink/downlink/api/internal/ytdlp/managed"
)

// ytdlpInstallPath is the upload route; its body may be a whole yt-dlp
// build, so it has its own size limit (maxYtdlpUpload) instead of
// DOWNLINK_BODY_LIMIT.
const ytdlpInstallPath = apiPrefix + "/system/ytdlp/install"

// maxYtdlpUpload bounds an uploaded build with its sums and signature.
const maxYtdlpUpload = 512<<20 + 1<<20

// getYtdlp is GET /system/ytdlp: every node's yt-dlp and the setting.
func (s *Server) getYtdlp(c echo.Context) error {
	st, err := s.deps.Ytdlp.Status(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, st)
}

// updateYtdlpSettings is PUT /system/ytdlp/settings.
func (s *Server) updateYtdlpSettings(c echo.Context) error {
	var p managed.Policy
	if err := s.decode(c, &p); err != nil {
		return err
	}
	out, err := s.deps.Settings.UpdateYtdlpPolicy(c.Request().Context(), principal(c).UserID, p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// ytdlpRequest is the body of check, update and rollback (all optional).
type ytdlpRequest struct {
	// Version is an update's target; empty: the newest of the channel.
	Version string `json:"version"`
	// Node limits the request to one node; empty: every alive node.
	Node string `json:"node" validate:"max=128"`
}

func (s *Server) checkYtdlp(c echo.Context) error  { return s.dispatchYtdlp(c, managed.ActionCheck) }
func (s *Server) updateYtdlp(c echo.Context) error { return s.dispatchYtdlp(c, managed.ActionUpdate) }
func (s *Server) rollbackYtdlp(c echo.Context) error {
	return s.dispatchYtdlp(c, managed.ActionRollback)
}

// dispatchYtdlp sends a check, update or rollback to the nodes; each runs
// it from its job queue and records the outcome on GET /system/ytdlp.
func (s *Server) dispatchYtdlp(c echo.Context, a managed.Action) error {
	var req ytdlpRequest
	if c.Request().ContentLength != 0 {
		if err := s.decode(c, &req); err != nil {
			return err
		}
	}
	if req.Version != "" && a != managed.ActionUpdate {
		return problem.Invalid("version", "only an update takes a version")
	}
	p := principal(c)
	out, err := s.deps.YtdlpDispatch.Dispatch(c.Request().Context(), managed.Request{
		Action: a, Version: req.Version, Node: req.Node,
		Actor: managed.Actor{ID: p.UserID.String(), Name: actorName(p.Email, p.Name)},
	})
	if err != nil {
		return err
	}
	s.audit(c, "yt-dlp "+string(a)+" sent to "+strings.Join(out.Nodes, ", "), "ytdlp."+string(a)+"_sent",
		"operation_id", out.OperationID, "version", req.Version)
	return c.JSON(http.StatusAccepted, out)
}

func actorName(email, name string) string {
	if email != "" {
		return email
	}
	return name
}

// installYtdlp is POST /system/ytdlp/install: a release file with its
// SHA2-256SUMS and SHA2-256SUMS.sig, as multipart form fields file, sums
// and sig, verified and installed on the node that receives it.
func (s *Server) installYtdlp(c echo.Context) error {
	r := c.Request()
	mt, params, err := mime.ParseMediaType(r.Header.Get(echo.HeaderContentType))
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		return echo.NewHTTPError(http.StatusUnsupportedMediaType)
	}
	r.Body = http.MaxBytesReader(c.Response(), r.Body, maxYtdlpUpload)
	// sums and sig are small and read whole; file streams into the
	// installer, which needs them first: so file is the last part.
	mr := multipart.NewReader(r.Body, params["boundary"])
	var sums, sig []byte
	var build io.Reader
	for build == nil {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return problem.Invalid("file", "is required: the release file (yt-dlp_linux or yt-dlp_linux_aarch64), after sums and sig")
		}
		if err != nil {
			return decodeError(err)
		}
		switch part.FormName() {
		case "sums", "sig":
			b, err := io.ReadAll(io.LimitReader(part, 64<<10))
			if err != nil {
				return decodeError(err)
			}
			if part.FormName() == "sums" {
				sums = b
			} else {
				sig = b
			}
		case "file":
			if sums == nil || sig == nil {
				return problem.Invalid("file", "must come after sums and sig in the form")
			}
			build = part
		default:
			return problem.Invalid(part.FormName(), "unknown field: send sums, sig and then file")
		}
	}
	p := principal(c)
	st, err := s.deps.Ytdlp.Install(r.Context(), managed.Op{Actor: managed.Actor{ID: p.UserID.String(), Name: actorName(p.Email, p.Name)}},
		managed.Files{Build: build, Sums: sums, Sig: sig})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, st)
}
