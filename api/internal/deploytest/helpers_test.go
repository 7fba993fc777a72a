package deploytest

import (
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/downlink/downlink/api/internal/config"
)

// repoRoot is the repository's root: tests run in their package's folder.
func repoRoot(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(wd, "..", "..", "..")
}

func readRepoFile(t *testing.T, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot(t), rel))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// configVars are the DOWNLINK_* variables the config reads, from its
// struct tags: the deploy files may set nothing else.
func configVars() map[string]bool {
	out := map[string]bool{}
	t := reflect.TypeOf(config.Config{})
	for i := range t.NumField() {
		if env := t.Field(i).Tag.Get("env"); env != "" {
			out[config.EnvPrefix+env] = true
		}
	}
	return out
}

// checkVarNames fails for every DOWNLINK_* name the config does not know.
func checkVarNames(t *testing.T, where string, names []string) {
	t.Helper()
	known := configVars()
	var unknown []string
	for _, n := range names {
		if strings.HasPrefix(n, config.EnvPrefix) && !known[n] {
			unknown = append(unknown, n)
		}
	}
	sort.Strings(unknown)
	if len(unknown) > 0 {
		t.Errorf("%s sets variables the config does not read: %v", where, unknown)
	}
}

func TestConfigVarsAreRead(t *testing.T) {
	// The reflection the other tests rely on sees the config's names.
	known := configVars()
	for _, v := range []string{"DOWNLINK_ADDR", "DOWNLINK_DATA_DIR", "DOWNLINK_WORKERS", "DOWNLINK_SECRET_KEY",
		"DOWNLINK_STORAGE", "DOWNLINK_S3_BUCKET", "DOWNLINK_CLUSTER_MAX_CONCURRENT", "DOWNLINK_HEARTBEAT_TIMEOUT"} {
		if !known[v] {
			t.Errorf("config has no %s", v)
		}
	}
}
