package main

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

// benchIdle measures what a node doing nothing costs: a fresh server with
// no downloads (only the admin and a key the tool makes), left alone for a
// settling period, then its CPU time (user + system, from /proc) over
// -idle-duration, as a percentage of one core, and its RSS. With -vs the
// baseline binary runs in turn with -bin (A B A B …), so both see the same
// machine; each row is one run.
func benchIdle(ctx context.Context, o options) error {
	fmt.Printf("## Idle (%s)\n\n", o.db)
	fmt.Printf("A fresh server, no downloads, settled 10 s, then measured for %s.\n\n", o.idleFor)
	fmt.Println("| binary | run | CPU, % of one core | RSS |")
	fmt.Println("|---|---|---|---|")
	var res = map[string][]float64{}
	var rss = map[string][]float64{}
	bins := o.contenders()
	for run := 1; run <= o.runs; run++ {
		for _, b := range bins {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			oo := o
			oo.bin = b.path
			cpu, r, err := idleOnce(ctx, oo)
			if err != nil {
				return err
			}
			res[b.name] = append(res[b.name], cpu)
			rss[b.name] = append(rss[b.name], r)
			fmt.Printf("| %s | %d | %.3f | %s |\n", b.name, run, cpu, mib(r))
		}
	}
	fmt.Println()
	for _, b := range bins {
		fmt.Printf("- %s: median %.3f %% (min %.3f, max %.3f), RSS median %s\n", b.name, median(res[b.name]),
			slices.Min(res[b.name]), slices.Max(res[b.name]), mib(median(rss[b.name])))
	}
	fmt.Println()
	return nil
}

func idleOnce(ctx context.Context, o options) (float64, float64, error) {
	s, err := startServer(ctx, o)
	if err != nil {
		return 0, 0, err
	}
	defer s.stop()
	pid := s.cmd.Process.Pid
	select {
	case <-ctx.Done():
		return 0, 0, ctx.Err()
	case <-time.After(10 * time.Second):
	}
	t0, c0 := time.Now(), cpuTicks(pid)
	select {
	case <-ctx.Done():
		return 0, 0, ctx.Err()
	case <-time.After(o.idleFor):
	}
	c1, el := cpuTicks(pid), time.Since(t0)
	const hz = 100 // USER_HZ on Linux
	return float64(c1-c0) / hz / el.Seconds() * 100, float64(rssBytes(pid)), nil
}

// cpuTicks is a process's user + system time in clock ticks.
func cpuTicks(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	// The command name (field 2) may hold spaces; fields after it are plain.
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return utime + stime
}
