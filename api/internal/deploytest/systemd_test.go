package deploytest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// unit is a parsed systemd unit: section → key → values (a key may repeat).
type unit map[string]map[string][]string

func parseUnit(text string) unit {
	u := unit{}
	section := ""
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";"):
		case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
			section = strings.Trim(line, "[]")
			if u[section] == nil {
				u[section] = map[string][]string{}
			}
		default:
			k, v, _ := strings.Cut(line, "=")
			u[section][strings.TrimSpace(k)] = append(u[section][strings.TrimSpace(k)], strings.TrimSpace(v))
		}
	}
	return u
}

func TestSystemdUnit(t *testing.T) {
	raw := string(readRepoFile(t, "deploy/downlink.service"))
	u := parseUnit(raw)
	svc := u["Service"]
	if svc == nil {
		t.Fatal("no [Service] section")
	}
	want := map[string]string{
		"NoNewPrivileges":         "yes",
		"ProtectSystem":           "strict",
		"ProtectHome":             "yes",
		"PrivateTmp":              "yes",
		"PrivateDevices":          "yes",
		"ReadWritePaths":          "/var/lib/downlink",
		"CapabilityBoundingSet":   "",
		"RestrictNamespaces":      "yes",
		"RestrictSUIDSGID":        "yes",
		"LockPersonality":         "yes",
		"ProtectKernelTunables":   "yes",
		"ProtectKernelModules":    "yes",
		"ProtectControlGroups":    "yes",
		"SystemCallArchitectures": "native",
		"Restart":                 "on-failure",
		"KillMode":                "mixed",
		"User":                    "downlink",
	}
	for k, v := range want {
		got, ok := svc[k]
		if !ok || got[len(got)-1] != v {
			t.Errorf("%s=%v, want %q", k, got, v)
		}
	}
	if f := svc["SystemCallFilter"]; len(f) == 0 || f[0] != "@system-service" {
		t.Errorf("SystemCallFilter=%v, want @system-service first", f)
	}
	fams := strings.Fields(strings.Join(svc["RestrictAddressFamilies"], " "))
	for _, fam := range []string{"AF_INET", "AF_INET6", "AF_UNIX"} {
		if !strings.Contains(" "+strings.Join(fams, " ")+" ", " "+fam+" ") {
			t.Errorf("RestrictAddressFamilies %v lacks %s", fams, fam)
		}
	}
	if len(svc["EnvironmentFile"]) == 0 {
		t.Error("no EnvironmentFile")
	}
	if exec := svc["ExecStart"]; len(exec) != 1 || !strings.HasSuffix(exec[0], "downlink serve") {
		t.Errorf("ExecStart=%v", exec)
	}
	if wb := u["Install"]["WantedBy"]; len(wb) == 0 || wb[0] != "multi-user.target" {
		t.Errorf("WantedBy=%v", wb)
	}
	var names []string
	for _, e := range svc["Environment"] {
		k, _, _ := strings.Cut(e, "=")
		names = append(names, k)
	}
	checkVarNames(t, "downlink.service", append(names, downlinkNames(raw)...))
	if v := strings.Join(svc["Environment"], " "); !strings.Contains(v, "DOWNLINK_DATA_DIR=/var/lib/downlink") {
		t.Errorf("the data dir is not the writable state directory: %v", svc["Environment"])
	}
}

// TestSystemdUnitVerifies runs systemd-analyze verify where it exists
// (with ExecStart pointed at a binary that exists here).
func TestSystemdUnitVerifies(t *testing.T) {
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze is not installed; the unit is checked by TestSystemdUnit alone")
	}
	raw := string(readRepoFile(t, "deploy/downlink.service"))
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "downlink-test.service")
	if err := os.WriteFile(p, []byte(strings.ReplaceAll(raw, "/usr/local/bin/downlink", self)), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, analyze, "verify", p).CombinedOutput()
	if err != nil || strings.Contains(string(out), "Unknown key") || strings.Contains(string(out), "Invalid") {
		t.Fatalf("systemd-analyze verify: %v\n%s", err, out)
	}
}
