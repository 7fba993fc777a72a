package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Scale-out: the same downloads on one API node (DOWNLINK_WORKERS=0) plus
// one or two `downlink worker` processes on one Postgres database and one
// data dir, as docs/scaling.md sets them up. Each worker runs up to
// scalePerNode downloads (DOWNLINK_WORKERS and generic's max_concurrent).
const (
	scalePerNode = 2
	// scaleBps throttles each download, standing in for a remote site
	// that serves one connection at a limited speed. (media's throttle
	// writes at most one 32 KiB buffer per 100 ms, so it cannot go above
	// about 320 KiB/s; 256 KiB/s is what it says.)
	scaleBps = 256 << 10
)

// benchScaleout prints the throughput of 1 vs 2 worker processes.
func benchScaleout(ctx context.Context, o options) error {
	if o.db != "postgres" {
		return fmt.Errorf("scaleout needs -db postgres (nodes share one database)")
	}
	m, err := newMedia(ctx, 8, "1500k")
	if err != nil {
		return err
	}
	defer m.close()
	mb := float64(m.size()) / 1e6
	fmt.Printf("## Scale-out: 1 vs 2 worker processes\n\n%d downloads of a %.1f MB local video, %d at a time per worker process; "+
		"wall time from the first submission until all completed, median of %d runs.\n\n", o.n, mb, scalePerNode, o.runs)
	fmt.Println("| media served at | worker processes | wall time | downloads/min | MB/s | speed-up |")
	fmt.Println("|---|---|---|---|---|---|")
	for _, bps := range []int{scaleBps, 0} {
		rate := "full speed (CPU-bound)"
		if bps > 0 {
			rate = fmt.Sprintf("%d KiB/s per download", bps>>10)
		}
		var base float64
		for _, nodes := range []int{1, 2} {
			var secs []float64
			for r := 0; r < o.runs; r++ {
				d, err := runScaleout(ctx, o, m, nodes, bps, r)
				if err != nil {
					return err
				}
				secs = append(secs, d.Seconds())
			}
			s := median(secs)
			if nodes == 1 {
				base = s
			}
			fmt.Printf("| %s | %d | %.1f s | %.1f | %.1f | %.2f× |\n", rate, nodes, s, float64(o.n)/s*60, float64(o.n)*mb/s, base/s)
		}
	}
	fmt.Println()
	return nil
}

func runScaleout(ctx context.Context, o options, m *media, nodes, bps, run int) (time.Duration, error) {
	s, err := startServer(ctx, o, "DOWNLINK_WORKERS=0", "DOWNLINK_NODE_NAME=api")
	if err != nil {
		return 0, err
	}
	defer s.stop()
	body := map[string]any{"enabled": true, "default_preset": "best", "audio_format": "mp3", "max_concurrent": scalePerNode,
		"rate_limit_bytes_per_second": nil, "sleep_between_requests_seconds": 0, "proxy": nil, "options": map[string]any{}}
	if err := s.put(ctx, "/api/v1/settings/platforms/generic", body); err != nil {
		return 0, err
	}
	for i := 0; i < nodes; i++ {
		w, err := startWorker(ctx, o, s, fmt.Sprintf("worker-%d", i+1))
		if err != nil {
			return 0, err
		}
		defer w.stop()
	}
	start := time.Now()
	for i := 0; i < o.n; i++ {
		url := m.URL(bps, fmt.Sprintf("s%d-%d-%d", nodes, run, i))
		if _, err := s.postJSON(ctx, s.client, "/api/v1/downloads", map[string]any{"url": url}, 202, nil); err != nil {
			return 0, err
		}
	}
	for {
		var page struct {
			Items []struct {
				Status string `json:"status"`
			} `json:"items"`
		}
		if err := s.getJSON(ctx, "/api/v1/downloads?limit=200", &page); err != nil {
			return 0, err
		}
		done := 0
		for _, it := range page.Items {
			switch it.Status {
			case "completed":
				done++
			case "failed", "canceled":
				return 0, fmt.Errorf("a download ended %s", it.Status)
			}
		}
		if done == o.n {
			return time.Since(start), nil
		}
		if time.Since(start) > 10*time.Minute {
			return 0, fmt.Errorf("only %d of %d completed", done, o.n)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// worker is one `downlink worker` process beside a server.
type worker struct {
	cmd  *exec.Cmd
	done chan error
	log  *lockedBuffer
}

// startWorker runs a worker on the server's database and data dir.
func startWorker(ctx context.Context, o options, s *server, name string) (*worker, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	w := &worker{done: make(chan error, 1), log: &lockedBuffer{}}
	w.cmd = exec.Command(o.bin, "worker")
	w.cmd.Env = append(os.Environ(),
		"DOWNLINK_ADDR=127.0.0.1:"+strconv.Itoa(port), "DOWNLINK_DATA_DIR="+s.dataDir,
		"DOWNLINK_DATABASE_URL="+s.dbURL, "DOWNLINK_LOG_FORMAT=json", "DOWNLINK_LOG_LEVEL=warn",
		"DOWNLINK_ALLOW_PRIVATE_NETWORKS=true", "DOWNLINK_NODE_NAME="+name,
		"DOWNLINK_MIN_FREE_DISK=1MiB", "DOWNLINK_WORKERS="+strconv.Itoa(scalePerNode))
	w.cmd.Stdout, w.cmd.Stderr = w.log, w.log
	w.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := w.cmd.Start(); err != nil {
		return nil, err
	}
	go func() { w.done <- w.cmd.Wait() }()
	deadline := time.Now().Add(60 * time.Second)
	for {
		select {
		case err := <-w.done:
			return nil, fmt.Errorf("worker %s exited: %v\n%s", name, err, tail(w.log.String(), 2000))
		case <-ctx.Done():
			w.stop()
			return nil, ctx.Err()
		default:
		}
		resp, err := http.Get("http://127.0.0.1:" + strconv.Itoa(port) + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return w, nil
			}
		}
		if time.Now().After(deadline) {
			w.stop()
			return nil, fmt.Errorf("worker %s never became healthy:\n%s", name, tail(w.log.String(), 2000))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stop ends the worker (SIGTERM, then SIGKILL) and its children.
func (w *worker) stop() {
	if w.cmd.Process == nil {
		return
	}
	_ = syscall.Kill(-w.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-w.done:
	case <-time.After(30 * time.Second):
		_ = syscall.Kill(-w.cmd.Process.Pid, syscall.SIGKILL)
		<-w.done
	}
	if strings.Contains(w.log.String(), `"level":"ERROR"`) {
		fmt.Fprintln(os.Stderr, "bench: worker logged errors:\n"+tail(w.log.String(), 1500))
	}
}
