package proc

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// PIDFileName is the name of the pid file Run keeps in Job.Dir while
// yt-dlp runs.
const PIDFileName = "yt-dlp.pid"

// maxLeftoverDepth bounds how deep KillLeftovers looks below its root.
const maxLeftoverDepth = 4

// A yt-dlp job folder keeps partial and finished files in these
// subfolders, where no pid file is: KillLeftovers does not walk them.
const (
	partDirName = "part"
	doneDirName = "done"
)

type pidRecord struct {
	PID        int       `json:"pid"`
	PGID       int       `json:"pgid"`
	StartTicks uint64    `json:"start_ticks"`
	BootID     string    `json:"boot_id"`
	JobID      string    `json:"job_id,omitempty"`
	StartedAt  time.Time `json:"started_at"`
}

// writePIDFile records the group leader pid with its start time (so a
// reused pid is not mistaken for it) and this boot's id.
func writePIDFile(path string, pid int, jobID string) error {
	rec := pidRecord{PID: pid, PGID: pid, BootID: bootID(), JobID: jobID, StartedAt: time.Now().UTC()}
	if st, err := readProcStat(pid); err == nil {
		rec.StartTicks = st.startTicks
	}
	b, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func readPIDFile(path string) (pidRecord, error) {
	var rec pidRecord
	b, err := os.ReadFile(path)
	if err != nil {
		return rec, err
	}
	if err := json.Unmarshal(b, &rec); err != nil {
		return rec, fmt.Errorf("pid file %s: %w", path, err)
	}
	if rec.PGID <= 1 {
		return rec, fmt.Errorf("pid file %s: bad pgid %d", path, rec.PGID)
	}
	return rec, nil
}

// KillLeftovers is for a node that starts after a crash: for each yt-dlp
// pid file below root (the temp folders of its jobs), it kills the process
// group if it still runs and really is yt-dlp or ffmpeg (checked in
// /proc/<pid>/cmdline; a group whose leader has another start time is a
// reused pid and is left alone). It removes the pid files it handled and
// returns how many groups it killed. Afterwards the caller may remove the
// stale temp folders.
//
// Call it before this node starts any job: it cannot tell a leftover from a
// job running now.
func KillLeftovers(root string, log *slog.Logger) (int, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	root = filepath.Clean(root)
	var files []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == root {
				return err
			}
			return nil // a folder we cannot read holds nothing of ours
		}
		if d.IsDir() {
			if p != root && (strings.Count(p[len(root):], string(filepath.Separator)) > maxLeftoverDepth ||
				d.Name() == partDirName || d.Name() == doneDirName) {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Name() == PIDFileName {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return 0, nil
		}
		return 0, fmt.Errorf("proc: leftovers: %w", err)
	}
	killed := 0
	boot := bootID()
	for _, f := range files {
		rec, err := readPIDFile(f)
		if err != nil {
			log.Warn("ignoring unreadable yt-dlp pid file", "path", f, "err", err)
			_ = os.Remove(f)
			continue
		}
		if rec.BootID != boot {
			_ = os.Remove(f) // from an earlier boot or another host: nothing runs
			continue
		}
		if killLeftover(rec, f, log) {
			killed++
		}
		_ = os.Remove(f)
	}
	return killed, nil
}

// killLeftover kills the group of rec if it is still ours.
func killLeftover(rec pidRecord, file string, log *slog.Logger) bool {
	members := groupMembers(rec.PGID)
	if len(members) == 0 {
		return false
	}
	ours := false
	for _, m := range members {
		if m.pid == rec.PGID && rec.StartTicks != 0 && m.startTicks != rec.StartTicks {
			// The leader's pid was reused by an unrelated process that
			// started its own group: not ours.
			log.Info("yt-dlp pid file names a reused pid; leaving it", "path", file, "pgid", rec.PGID)
			return false
		}
		if isMediaTool(readCmdline(m.pid)) {
			ours = true
		}
	}
	if !ours {
		log.Info("process group in yt-dlp pid file is neither yt-dlp nor ffmpeg; leaving it", "path", file, "pgid", rec.PGID)
		return false
	}
	_ = syscall.Kill(-rec.PGID, syscall.SIGKILL)
	gone := waitGroupGone(rec.PGID, groupGoneTimeout)
	log.Warn("killed leftover yt-dlp process group", "pgid", rec.PGID, "job_id", rec.JobID,
		"started_at", rec.StartedAt, "processes", len(members), "gone", gone)
	return true
}
