package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// benchMemory measures the server's RSS idle and with 20 active downloads
// (throttled local media), and the Go heap per active download.
func benchMemory(ctx context.Context, o options) error {
	const active = 20
	m, err := newMedia(ctx, 60, "1000k")
	if err != nil {
		return err
	}
	defer m.close()
	s, err := startServer(ctx, o, "DOWNLINK_WORKERS="+strconv.Itoa(active))
	if err != nil {
		return err
	}
	defer s.stop()
	body := map[string]any{"enabled": true, "default_preset": "best", "audio_format": "mp3", "max_concurrent": 32,
		"rate_limit_bytes_per_second": nil, "sleep_between_requests_seconds": 0, "proxy": nil, "options": map[string]any{}}
	if err := s.put(ctx, "/api/v1/settings/platforms/generic", body); err != nil {
		return err
	}
	time.Sleep(3 * time.Second)
	pid := s.cmd.Process.Pid
	idleRSS := float64(rssBytes(pid))
	idleHeap := s.metric("go_memstats_heap_inuse_bytes")
	for i := 0; i < active; i++ {
		if _, err := s.postJSON(ctx, s.client, "/api/v1/downloads", map[string]any{"url": m.URL(64<<10, "m"+strconv.Itoa(i))}, 202, nil); err != nil {
			return err
		}
	}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		var page struct {
			Items []struct {
				Status string `json:"status"`
			} `json:"items"`
		}
		if err := s.getJSON(ctx, "/api/v1/downloads?status=downloading&limit=50", &page); err != nil {
			return err
		}
		if len(page.Items) >= active {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("only %d downloads became active", len(page.Items))
		}
		time.Sleep(200 * time.Millisecond)
	}
	time.Sleep(3 * time.Second)
	busyRSS := float64(rssBytes(pid))
	busyHeap := s.metric("go_memstats_heap_inuse_bytes")
	ytRSS := childRSS("yt-dlp")
	fmt.Printf("## Memory (%s)\n\n", o.db)
	fmt.Println("| measure | value |")
	fmt.Println("|---|---|")
	fmt.Printf("| RSS idle | %s |\n", mib(idleRSS))
	fmt.Printf("| RSS with %d active downloads | %s |\n", active, mib(busyRSS))
	fmt.Printf("| Go heap in use idle / busy | %s / %s |\n", mib(idleHeap), mib(busyHeap))
	fmt.Printf("| Go heap per active download | %.0f KiB |\n", (busyHeap-idleHeap)/active/1024)
	fmt.Printf("| yt-dlp processes' RSS, total (not Downlink's) | %s |\n\n", mib(ytRSS))
	return nil
}

// childRSS sums the RSS of processes running name (python3 /usr/bin/yt-dlp …).
func childRSS(name string) float64 {
	var total int64
	for _, pid := range processes(name) {
		total += rssBytes(pid)
	}
	return float64(total)
}

// processes lists the pids whose first or second argument is name.
func processes(name string) []int {
	entries, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		cmd, _ := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		args := strings.Split(string(cmd), "\x00")
		for _, a := range args[:min(2, len(args))] {
			if filepath.Base(a) == name {
				out = append(out, pid)
				break
			}
		}
	}
	return out
}
