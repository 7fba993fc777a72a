package testkit

import (
	"bytes"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"
)

// StartHelper runs the test named test in a child process of this test
// binary, with env added; the child is killed when the test ends. done is
// closed when it has exited; out holds what it printed.
func StartHelper(t *testing.T, test string, env ...string) (helper *exec.Cmd, done chan struct{}, out *SyncBuffer) {
	t.Helper()
	helper = exec.Command(os.Args[0], "-test.run=^"+test+"$", "-test.v")
	helper.Env = append(os.Environ(), env...)
	out = &SyncBuffer{}
	helper.Stdout, helper.Stderr = out, out
	helper.WaitDelay = 5 * time.Second
	if err := helper.Start(); err != nil {
		t.Fatal(err)
	}
	done = make(chan struct{})
	go func() { _ = helper.Wait(); close(done) }()
	t.Cleanup(func() { _ = helper.Process.Kill(); <-done })
	return helper, done, out
}

// SyncBuffer is a bytes.Buffer for a writer goroutine and a reader.
type SyncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *SyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *SyncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
