package managed

import (
	"context"
	"io"
)

// Files are a release's files an admin brought (air-gapped installs).
type Files struct {
	// Build is the release file (yt-dlp_linux or yt-dlp_linux_aarch64).
	Build io.Reader
	// Sums and Sig are the release's SHA2-256SUMS and SHA2-256SUMS.sig.
	Sums, Sig []byte
}

// Install verifies files the same way Update verifies a download, learns
// the version from the build's --version and makes it active.
func (i *Installer) Install(ctx context.Context, f Files, progress func(Progress)) (Outcome, error) {
	report := reporter(progress)
	unlock, err := i.lock(ctx, false)
	if err != nil {
		return Outcome{}, err
	}
	defer unlock()
	report(Progress{Phase: PhaseVerifying})
	if len(f.Sums) == 0 {
		return Outcome{}, refuse(CodeUnsigned, nil, "%s is missing", sumsAsset)
	}
	if len(f.Sig) == 0 {
		return Outcome{}, refuse(CodeUnsigned, nil, "%s is missing", sigAsset)
	}
	if err := i.cfg.Keyring.verify(f.Sums, f.Sig); err != nil {
		return Outcome{}, err
	}
	sums, err := parseSums(f.Sums)
	if err != nil {
		return Outcome{}, err
	}
	inc, err := i.stage(func(w io.Writer) error {
		src := &readErr{r: io.LimitReader(f.Build, i.cfg.MaxSize+1)}
		n, err := io.Copy(w, src)
		switch {
		case src.err != nil:
			return refuse(CodeTruncated, src.err, "the upload ended early, after %d bytes", n)
		case err == nil && n > i.cfg.MaxSize:
			return refuse(CodeTooLarge, nil, "the file is more than the %d bytes a yt-dlp build can be", i.cfg.MaxSize)
		}
		return err
	})
	if err != nil {
		return Outcome{}, err
	}
	defer inc.discard()
	name := nameOfSum(sums, inc.sum)
	switch {
	case name == "":
		return Outcome{}, refuse(CodeNotListed, nil, "the file (SHA-256 %s) is not listed in the signed SHA2-256SUMS: it is not that release's file, or it was altered", inc.sum)
	case name != i.cfg.Asset:
		return Outcome{}, refuse(CodeNoBuild, nil, "the file is %s; this machine runs %s", name, i.cfg.Asset)
	}
	report(Progress{Phase: PhaseTesting})
	version, err := i.smokeTest(ctx, inc.binary(), "")
	if err != nil {
		return Outcome{}, err
	}
	st := i.state()
	from := i.describe(ctx, st.Active)
	if st.Active == version {
		return Outcome{From: from, To: from}, nil
	}
	if err := inc.seal(marker{Version: version, Asset: i.cfg.Asset, SHA256: inc.sum, Source: "upload",
		SignedBy: i.cfg.Keyring.Fingerprints()}); err != nil {
		return Outcome{}, err
	}
	if err := i.l.place(inc.dir, version); err != nil {
		return Outcome{}, diskError(err, "cannot move yt-dlp %s into place", version)
	}
	inc.placed = true
	report(Progress{Phase: PhaseSwitching})
	return i.commit(ctx, st, version, from)
}
