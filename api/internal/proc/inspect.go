package proc

import (
	"errors"
	"io/fs"
)

// What a process looks like from outside, for crash recovery and for the
// tests that prove a child is gone.

// PIDRecord is what a pid file says.
type PIDRecord = pidRecord

// WritePIDFile records group leader pid (its start time and this boot
// with it) for KillLeftovers.
func WritePIDFile(path string, pid int, jobID string) error { return writePIDFile(path, pid, jobID) }

// ReadPIDFile reads a pid file.
func ReadPIDFile(path string) (PIDRecord, error) { return readPIDFile(path) }

// GroupMembers returns the pids of the live processes of group pgid.
func GroupMembers(pgid int) []int {
	var out []int
	for _, m := range groupMembers(pgid) {
		out = append(out, m.pid)
	}
	return out
}

// Cmdline returns the arguments of process pid (nil when it is gone).
func Cmdline(pid int) []string { return readCmdline(pid) }

// Alive reports whether process pid exists and is not a zombie.
func Alive(pid int) bool {
	st, err := readProcStat(pid)
	if errors.Is(err, fs.ErrNotExist) || err != nil {
		return false
	}
	return st.state != 'Z' && st.state != 'X'
}

// KillGroup SIGKILLs what is left of group pgid and waits until it is
// gone.
func KillGroup(pgid int) { killGroup(pgid) }
