package proc

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"
	"time"
)

// Warm starts: a fork server (see package ytdlp/warm) keeps an interpreter
// that has imported its program, and forks one fresh child per job. The
// guard stays what it is (leader of the job's group, parent-death signal,
// group kill); only the child comes from the fork server instead of exec:
//
//	downlink ──(Pdeathsig SIGTERM, new group G)──▶ guard ··(unix socket)··▶ fork server
//	                                                  fork server ──fork──▶ child (joins G, Pdeathsig SIGKILL)
//
// The guard sends its own stdin, stdout and stderr (SCM_RIGHTS), its
// environment, its folder, the argv and its group; the child takes them
// all, so Downlink reads the child's output from the same pipes as after an
// exec. The guard waits for the exit status the server reports and leaves
// by it, as it would after a plain child. When the server cannot be reached
// or refuses before forking, the guard execs the program as usual.

// ForkServerArg, followed by a socket path, comes before "--" in the
// guard's arguments when the child should come from a fork server.
const ForkServerArg = "--fork-server"

const (
	// forkServerTimeout bounds connecting and the server's first answer
	// (the fork): past it the guard falls back to exec.
	forkServerTimeout = 10 * time.Second
	// maxForkRequest matches the server's bound.
	maxForkRequest = 4 << 20
)

// forkRequest is what the guard asks the fork server for.
type forkRequest struct {
	Argv []string `json:"argv"`
	Env  []string `json:"env"`
	Cwd  string   `json:"cwd"`
	PGID int      `json:"pgid"`
}

// forkAnswer is one line of the server's answer.
type forkAnswer struct {
	PID    *int    `json:"pid"`
	Exit   *int    `json:"exit"`
	Signal *int    `json:"signal"`
	Error  *string `json:"error"`
}

// warmChild is a child the fork server started for this guard.
type warmChild struct {
	pid  int
	conn *net.UnixConn
	// done receives how the child ended: its exit code, or the signal that
	// killed it (sig != 0).
	done chan warmExit
}

type warmExit struct {
	code int
	sig  syscall.Signal
}

// startWarm asks the fork server at socket to run argv (argv[0] is the
// program) as this guard would have exec'd it. An error means nothing was
// started: the caller execs instead.
func startWarm(socket string, argv []string) (*warmChild, error) {
	cwd, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(forkRequest{Argv: argv, Env: os.Environ(), Cwd: cwd, PGID: syscall.Getpgrp()})
	if err != nil {
		return nil, err
	}
	if len(body) > maxForkRequest {
		return nil, errors.New("request too large")
	}
	c, err := net.DialTimeout("unix", socket, forkServerTimeout)
	if err != nil {
		return nil, err
	}
	conn := c.(*net.UnixConn)
	_ = conn.SetDeadline(time.Now().Add(forkServerTimeout))
	var hdr [4]byte
	binary.BigEndian.PutUint32(hdr[:], uint32(len(body)))
	if _, _, err := conn.WriteMsgUnix(hdr[:], syscall.UnixRights(0, 1, 2), nil); err != nil {
		conn.Close()
		return nil, err
	}
	if _, err := conn.Write(body); err != nil {
		conn.Close()
		return nil, err
	}
	rd := bufio.NewReader(conn)
	first, err := readAnswer(rd)
	if err != nil {
		// Closing tells the server to kill a child it may have forked.
		conn.Close()
		return nil, err
	}
	if first.Error != nil || first.PID == nil || *first.PID <= 0 {
		conn.Close()
		if first.Error != nil {
			return nil, errors.New(*first.Error)
		}
		return nil, errors.New("fork server: no pid")
	}
	_ = conn.SetDeadline(time.Time{})
	w := &warmChild{pid: *first.PID, conn: conn, done: make(chan warmExit, 1)}
	go func() {
		a, err := readAnswer(rd)
		switch {
		case err != nil:
			// The server died; its children die with it (their
			// parent-death signal).
			w.done <- warmExit{code: -1, sig: syscall.SIGKILL}
		case a.Signal != nil:
			w.done <- warmExit{code: -1, sig: syscall.Signal(*a.Signal)}
		case a.Exit != nil:
			w.done <- warmExit{code: *a.Exit}
		default:
			w.done <- warmExit{code: -1, sig: syscall.SIGKILL}
		}
	}()
	return w, nil
}

func readAnswer(rd *bufio.Reader) (forkAnswer, error) {
	line, err := rd.ReadBytes('\n')
	if err != nil {
		return forkAnswer{}, fmt.Errorf("fork server: %w", err)
	}
	var a forkAnswer
	if err := json.Unmarshal(line, &a); err != nil {
		return forkAnswer{}, fmt.Errorf("fork server: %w", err)
	}
	return a, nil
}

// signal passes sig on to the child (it is in the guard's group, so a
// group signal reaches it anyway; this covers a signal sent to the guard
// alone).
func (w *warmChild) signal(sig os.Signal) {
	if s, ok := sig.(syscall.Signal); ok {
		_ = syscall.Kill(w.pid, s)
	}
}
