package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// buildBinary builds downlink (with the UI if it was built) unless -bin.
func buildBinary(ctx context.Context, o options) (string, func(), error) {
	if o.bin != "" {
		return o.bin, func() {}, nil
	}
	dir, err := os.MkdirTemp("", "downlink-bench-bin-")
	if err != nil {
		return "", nil, err
	}
	bin := filepath.Join(dir, "downlink")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./api/cmd/downlink")
	cmd.Dir = o.repo
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", nil, fmt.Errorf("go build: %w", err)
	}
	return bin, func() { os.RemoveAll(dir) }, nil
}

// server is one running downlink.
type server struct {
	cmd     *exec.Cmd
	url     string
	dataDir string
	dbURL   string
	log     *lockedBuffer
	client  *http.Client // signed in as the admin
	key     string       // an API key of the admin with every scope
	done    chan error
	dropDB  func()
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// startServer starts downlink on a fresh data dir and database with env
// additions, creates the admin and an API key.
func startServer(ctx context.Context, o options, env ...string) (*server, error) {
	dir, err := os.MkdirTemp("", "downlink-bench-")
	if err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	s := &server{url: fmt.Sprintf("http://127.0.0.1:%d", port), dataDir: dir, log: &lockedBuffer{}, done: make(chan error, 1),
		dropDB: func() {}}
	switch o.db {
	case "postgres":
		name := fmt.Sprintf("dlbench_%d", time.Now().UnixNano())
		conn, err := pgx.Connect(ctx, o.pgURL)
		if err != nil {
			return nil, fmt.Errorf("postgres: %w", err)
		}
		if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
			conn.Close(ctx)
			return nil, err
		}
		conn.Close(ctx)
		u, _ := url.Parse(o.pgURL)
		u.Path = "/" + name
		s.dbURL = u.String()
		s.dropDB = func() {
			c, err := pgx.Connect(context.Background(), o.pgURL)
			if err == nil {
				_, _ = c.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
				c.Close(context.Background())
			}
		}
	default:
		s.dbURL = "sqlite://" + filepath.Join(dir, "downlink.db")
	}
	s.cmd = exec.Command(o.bin, "serve")
	s.cmd.Env = append(os.Environ(),
		"DOWNLINK_ADDR="+strings.TrimPrefix(s.url, "http://"), "DOWNLINK_DATA_DIR="+dir,
		"DOWNLINK_DATABASE_URL="+s.dbURL, "DOWNLINK_LOG_FORMAT=json", "DOWNLINK_LOG_LEVEL=warn",
		"DOWNLINK_GENERIC_SITES=true", "DOWNLINK_ALLOW_PRIVATE_NETWORKS=true", "DOWNLINK_NODE_NAME=bench",
		"DOWNLINK_MIN_FREE_DISK=1MiB",
		// The load generator is one user's session making thousands of
		// requests a minute; the per-session rate limit would answer 429.
		"DOWNLINK_SESSION_RATE_LIMIT=0")
	s.cmd.Env = append(s.cmd.Env, env...)
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := s.cmd.Start(); err != nil {
		return nil, err
	}
	go func() { s.done <- s.cmd.Wait() }()
	if err := s.waitHealthy(ctx); err != nil {
		s.stop()
		return nil, err
	}
	if err := s.setup(ctx); err != nil {
		s.stop()
		return nil, err
	}
	return s, nil
}

func (s *server) waitHealthy(ctx context.Context) error {
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-s.done:
			return fmt.Errorf("server exited: %v\n%s", err, tail(s.log.String(), 2000))
		default:
		}
		resp, err := http.Get(s.url + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return errors.New("server never became healthy")
}

var tokenRe = regexp.MustCompile(`"setup_token":"(stp_[0-9A-Za-z]+)"`)

func (s *server) setup(ctx context.Context) error {
	var token string
	for i := 0; i < 100 && token == ""; i++ {
		if m := tokenRe.FindStringSubmatch(s.log.String()); m != nil {
			token = m[1]
		}
		time.Sleep(50 * time.Millisecond)
	}
	if token == "" {
		return errors.New("no setup token in the log")
	}
	jar, _ := cookiejar.New(nil)
	s.client = &http.Client{Jar: jar, Transport: &http.Transport{MaxIdleConnsPerHost: 1024, MaxConnsPerHost: 0}}
	if _, err := s.postJSON(ctx, s.client, "/api/v1/auth/setup", map[string]any{
		"token": token, "email": "bench@example.com", "name": "Bench", "password": "bench-password-1"}, 201, nil); err != nil {
		return err
	}
	var key struct {
		Key string `json:"key"`
	}
	if _, err := s.postJSON(ctx, s.client, "/api/v1/api-keys", map[string]any{
		"name": "bench", "scopes": []string{"downloads:read", "downloads:write", "files:read", "files:write", "admin:read", "admin:write"},
		"rate_limit_per_minute": 100000}, 201, &key); err != nil {
		return err
	}
	s.key = key.Key
	return nil
}

func (s *server) postJSON(ctx context.Context, c *http.Client, path string, body any, want int, out any) (*http.Response, error) {
	b, _ := json.Marshal(body)
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.url+path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		return resp, fmt.Errorf("POST %s: %d %s", path, resp.StatusCode, tail(string(data), 400))
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return resp, err
		}
	}
	return resp, nil
}

func (s *server) getJSON(ctx context.Context, path string, out any) error {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.url+path, nil)
	resp, err := s.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("GET %s: %d %s", path, resp.StatusCode, tail(string(b), 300))
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// stop ends the server (SIGTERM, then SIGKILL) and removes its data.
func (s *server) stop() {
	if s.cmd != nil && s.cmd.Process != nil {
		_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-s.done:
		case <-time.After(30 * time.Second):
			_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
			<-s.done
		}
	}
	s.dropDB()
	os.RemoveAll(s.dataDir)
}

// rssBytes reads a process's resident set size.
func rssBytes(pid int) int64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			n, _ := strconv.ParseInt(strings.Fields(v)[0], 10, 64)
			return n * 1024
		}
	}
	return 0
}

// metric reads one gauge from /metrics.
func (s *server) metric(name string) float64 {
	resp, err := http.Get(s.url + "/metrics")
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, name+" ") {
			v, _ := strconv.ParseFloat(strings.Fields(line)[1], 64)
			return v
		}
	}
	return 0
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

func (s *server) put(ctx context.Context, path string, body any) error {
	b, _ := json.Marshal(body)
	req, _ := http.NewRequestWithContext(ctx, http.MethodPut, s.url+path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		data, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("PUT %s: %d %s", path, resp.StatusCode, tail(string(data), 300))
	}
	return nil
}
