package config

import (
	"testing"
	"time"
)

func TestHeartbeatTimeout(t *testing.T) {
	cases := []struct {
		env      string
		want     time.Duration
		interval time.Duration
		ok       bool
	}{
		{"", 90 * time.Second, 15 * time.Second, true},
		{"12s", 12 * time.Second, 2 * time.Second, true},
		{"6s", 6 * time.Second, time.Second, true},
		{"5s", 0, 0, false},
		{"2h", 0, 0, false},
		{"soon", 0, 0, false},
	}
	for _, tc := range cases {
		t.Run(tc.env, func(t *testing.T) {
			env := map[string]string{"DOWNLINK_DATA_DIR": t.TempDir(), "DOWNLINK_HEARTBEAT_TIMEOUT": tc.env}
			cfg, err := Load("test", nil, func(k string) string { return env[k] })
			if !tc.ok {
				if err == nil {
					t.Fatalf("accepted %q", tc.env)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cfg.HeartbeatTimeout != tc.want || cfg.HeartbeatInterval() != tc.interval {
				t.Errorf("timeout %v interval %v, want %v %v", cfg.HeartbeatTimeout, cfg.HeartbeatInterval(), tc.want, tc.interval)
			}
		})
	}
}

func TestDebugAddr(t *testing.T) {
	for addr, ok := range map[string]bool{"": true, "127.0.0.1:6060": true, "localhost:6060": true, "[::1]:6060": true,
		"0.0.0.0:6060": false, ":6060": false, "10.0.0.5:6060": false, "127.0.0.1": false} {
		env := map[string]string{"DOWNLINK_DATA_DIR": t.TempDir(), "DOWNLINK_DEBUG_ADDR": addr}
		_, err := Load("test", nil, func(k string) string { return env[k] })
		if (err == nil) != ok {
			t.Errorf("DOWNLINK_DEBUG_ADDR %q: err %v, want ok=%v", addr, err, ok)
		}
	}
}
