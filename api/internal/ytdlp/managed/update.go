package managed

import (
	"context"
	"io"
)

// Release files besides the builds.
const (
	sumsAsset = "SHA2-256SUMS"
	sigAsset  = "SHA2-256SUMS.sig"
)

// Update installs release version of ch (the newest when version is "")
// and makes it active: resolve, download the signed sums and check their
// signature, download the build and check its SHA-256, run it with
// --version, then switch. Anything that fails is a *Refusal and leaves the
// active yt-dlp and the disk as they were. progress may be nil.
func (i *Installer) Update(ctx context.Context, ch Channel, version string, progress func(Progress)) (Outcome, error) {
	report := reporter(progress)
	unlock, err := i.lock(ctx, true)
	if err != nil {
		return Outcome{}, err
	}
	defer unlock()

	report(Progress{Phase: PhaseResolving})
	var rel Release
	if version == "" {
		rel, err = i.cfg.Releases.Latest(ctx, ch)
	} else {
		rel, err = i.cfg.Releases.Tag(ctx, ch, version)
	}
	if err != nil {
		return Outcome{}, err
	}
	st := i.state()
	from := i.describe(ctx, st.Active)
	if st.Active == rel.Version {
		return Outcome{From: from, To: from}, nil
	}
	build, ok := rel.Assets[i.cfg.Asset]
	if !ok {
		return Outcome{}, refuse(CodeNoBuild, nil, "release %s has no %s, the standalone build for this machine", rel.Version, i.cfg.Asset)
	}
	if _, ok := rel.Assets[sumsAsset]; !ok {
		return Outcome{}, refuse(CodeUnsigned, nil, "release %s has no %s: it cannot be verified", rel.Version, sumsAsset)
	}
	if _, ok := rel.Assets[sigAsset]; !ok {
		return Outcome{}, refuse(CodeUnsigned, nil, "release %s has no %s: it cannot be verified", rel.Version, sigAsset)
	}
	report(Progress{Phase: PhaseVerifying})
	sums, err := i.cfg.Releases.fetch(ctx, i.cfg.Releases.assetURL(rel, sumsAsset), maxSumsSize, nil)
	if err != nil {
		return Outcome{}, err
	}
	sig, err := i.cfg.Releases.fetch(ctx, i.cfg.Releases.assetURL(rel, sigAsset), maxSumsSize, nil)
	if err != nil {
		return Outcome{}, err
	}
	want, err := i.signedSum(sums, sig, i.cfg.Asset)
	if err != nil {
		return Outcome{}, err
	}

	// A copy already on disk (a rollback target, or placed by another
	// node sharing this folder) is re-hashed and reused.
	if i.l.placedSum(rel.Version) == want {
		report(Progress{Phase: PhaseTesting})
		if _, err := i.smokeTest(ctx, i.l.binary(rel.Version), rel.Version); err != nil {
			return Outcome{}, err
		}
		return i.commit(ctx, st, rel.Version, from)
	}

	if build.Size > 0 {
		if err := i.checkFree(build.Size); err != nil {
			return Outcome{}, err
		}
	}
	limit := i.cfg.MaxSize
	if build.Size > 0 {
		limit = min(limit, build.Size)
	}
	inc, err := i.stage(func(w io.Writer) error {
		report(Progress{Phase: PhaseDownloading, Total: build.Size})
		_, err := i.cfg.Releases.copy(ctx, i.cfg.Releases.assetURL(rel, i.cfg.Asset), w, limit, nil, func(n int64) {
			report(Progress{Phase: PhaseDownloading, Done: n, Total: build.Size})
		})
		return err
	})
	if err != nil {
		return Outcome{}, err
	}
	defer inc.discard()
	report(Progress{Phase: PhaseVerifying, Done: inc.size, Total: build.Size})
	if inc.sum != want {
		return Outcome{}, refuse(CodeChecksumMismatch, nil, "the downloaded %s has SHA-256 %s, but the signed SHA2-256SUMS says %s: the file was corrupted or tampered with",
			i.cfg.Asset, inc.sum, want)
	}
	report(Progress{Phase: PhaseTesting})
	if _, err := i.smokeTest(ctx, inc.binary(), rel.Version); err != nil {
		return Outcome{}, err
	}
	if err := inc.seal(marker{Version: rel.Version, Asset: i.cfg.Asset, SHA256: want,
		Source: "github.com/" + ch.Repo(), SignedBy: i.cfg.Keyring.Fingerprints()}); err != nil {
		return Outcome{}, err
	}
	if err := i.l.place(inc.dir, rel.Version); err != nil {
		return Outcome{}, diskError(err, "cannot move yt-dlp %s into place", rel.Version)
	}
	inc.placed = true
	report(Progress{Phase: PhaseSwitching})
	return i.commit(ctx, st, rel.Version, from)
}

// Expect is what a rollback was asked for: from the version an admin saw
// active to the one they saw as previous ("" is the fallback). A node that
// already runs To reports no change; one that runs neither is refused
// (ErrStateChanged). The zero Expect rolls back whatever is active.
type Expect struct {
	Set      bool
	From, To string
}

// Rollback makes the previous version active again (and the active one
// previous, so a second rollback undoes the first), after checking that it
// still answers --version.
func (i *Installer) Rollback(ctx context.Context, expect Expect, progress func(Progress)) (Outcome, error) {
	report := reporter(progress)
	unlock, err := i.lock(ctx, true)
	if err != nil {
		return Outcome{}, err
	}
	defer unlock()
	st := i.state()
	from := i.describe(ctx, st.Active)
	if expect.Set {
		switch st.Active {
		case expect.To:
			return Outcome{From: from, To: from}, nil
		case expect.From:
		default:
			return Outcome{}, ErrStateChanged.WithDetail("Asked to roll back from %s, but %s is active.", orSystem(expect.From), orSystem(st.Active))
		}
	}
	if !st.canRollBack() {
		return Outcome{}, ErrNothingToRollBack
	}
	report(Progress{Phase: PhaseTesting})
	to := i.describe(ctx, st.Previous)
	if st.Previous != "" {
		if i.l.placedSum(st.Previous) == "" {
			return Outcome{}, refuse(CodeChecksumMismatch, nil, "the kept yt-dlp %s is missing or was altered on disk", st.Previous)
		}
		if _, err := i.smokeTest(ctx, to.Path, st.Previous); err != nil {
			return Outcome{}, err
		}
	} else if !to.Found {
		return Outcome{}, refuse(CodeDoesNotRun, nil, "the %s yt-dlp (%s) %s", to.Source, to.Path, to.Error)
	}
	report(Progress{Phase: PhaseSwitching})
	next := state{Active: st.Previous, Previous: st.Active}
	removed, err := i.switchTo(next)
	if err != nil {
		return Outcome{}, err
	}
	return Outcome{From: from, To: i.describe(ctx, next.Active), Changed: true, Removed: removed}, nil
}

func orSystem(v string) string {
	if v == "" {
		return "the system yt-dlp"
	}
	return v
}

// commit switches to version, keeping the one that was active as the
// rollback target.
func (i *Installer) commit(ctx context.Context, st state, version string, from Active) (Outcome, error) {
	removed, err := i.switchTo(state{Active: version, Previous: st.Active})
	if err != nil {
		return Outcome{}, err
	}
	i.log.Info("yt-dlp switched", "from", from.Version, "from_source", from.Source, "to", version, "removed", removed)
	return Outcome{From: from, To: i.describe(ctx, version), Changed: true, Removed: removed}, nil
}

// signedSum checks sig over sums and returns the SHA-256 they give name.
func (i *Installer) signedSum(sums, sig []byte, name string) (string, error) {
	if err := i.cfg.Keyring.verify(sums, sig); err != nil {
		return "", err
	}
	m, err := parseSums(sums)
	if err != nil {
		return "", err
	}
	want, ok := m[name]
	if !ok {
		return "", refuse(CodeNotListed, nil, "the signed SHA2-256SUMS does not list %s", name)
	}
	return want, nil
}
