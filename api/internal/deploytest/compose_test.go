package deploytest

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
)

// loadCompose loads content as docker compose would, validating it against
// the Compose Specification's JSON schema, with env for interpolation.
func loadCompose(t *testing.T, content []byte, env map[string]string) (*types.Project, error) {
	t.Helper()
	root := repoRoot(t)
	return loader.LoadWithContext(context.Background(), types.ConfigDetails{
		WorkingDir:  root,
		ConfigFiles: []types.ConfigFile{{Filename: filepath.Join(root, "docker-compose.yml"), Content: content}},
		Environment: env,
	}, func(o *loader.Options) { o.SetProjectName("downlink", true) })
}

var composeEnv = map[string]string{"POSTGRES_PASSWORD": "pw", "DOWNLINK_SECRET_KEY": "0123456789abcdef0123456789abcdef"}

func TestComposeFileIsValid(t *testing.T) {
	raw := readRepoFile(t, "docker-compose.yml")
	p, err := loadCompose(t, raw, composeEnv)
	if err != nil {
		t.Fatalf("docker-compose.yml does not load: %v", err)
	}
	for _, name := range []string{"postgres", "migrate", "serve", "worker"} {
		if _, ok := p.Services[name]; !ok {
			t.Fatalf("no %s service (have %v)", name, p.ServiceNames())
		}
	}

	pg := p.Services["postgres"]
	if pg.HealthCheck == nil || len(pg.HealthCheck.Test) == 0 || !strings.Contains(strings.Join(pg.HealthCheck.Test, " "), "pg_isready") {
		t.Errorf("postgres has no pg_isready healthcheck: %+v", pg.HealthCheck)
	}
	if !mounts(pg, "pgdata", "/var/lib/postgresql/data") {
		t.Errorf("postgres keeps its data in no named volume: %+v", pg.Volumes)
	}

	migrate := p.Services["migrate"]
	if !slices.Equal(migrate.Command, types.ShellCommand{"migrate"}) || migrate.Restart != "no" {
		t.Errorf("migrate runs %v (restart %q), want `migrate` once", migrate.Command, migrate.Restart)
	}
	for _, name := range []string{"serve", "worker"} {
		s := p.Services[name]
		if !slices.Equal(s.Command, types.ShellCommand{name}) {
			t.Errorf("%s runs %v", name, s.Command)
		}
		if s.DependsOn["postgres"].Condition != types.ServiceConditionHealthy {
			t.Errorf("%s does not wait for a healthy postgres: %+v", name, s.DependsOn)
		}
		if s.DependsOn["migrate"].Condition != types.ServiceConditionCompletedSuccessfully {
			t.Errorf("%s does not wait for the migration: %+v", name, s.DependsOn)
		}
		if !mounts(s, "library", "/data/library") {
			t.Errorf("%s does not mount the shared library volume: %+v", name, s.Volumes)
		}
		if s.Build == nil || s.Build.Dockerfile != "deploy/Dockerfile" {
			t.Errorf("%s is not built from deploy/Dockerfile: %+v", name, s.Build)
		}
		env := s.Environment
		if v := env["DOWNLINK_SECRET_KEY"]; v == nil || *v != composeEnv["DOWNLINK_SECRET_KEY"] {
			t.Errorf("%s's DOWNLINK_SECRET_KEY does not come from .env", name)
		}
		if v := env["DOWNLINK_DATABASE_URL"]; v == nil || !strings.HasPrefix(*v, "postgres://downlink:pw@postgres:5432/") {
			t.Errorf("%s's database is %v", name, v)
		}
		var names []string
		for k := range env {
			names = append(names, k)
		}
		checkVarNames(t, "docker-compose.yml ("+name+")", names)
	}
	if v := p.Services["serve"].Environment["DOWNLINK_WORKERS"]; v == nil || *v != "0" {
		t.Errorf("serve downloads too: DOWNLINK_WORKERS=%v", v)
	}
	if len(p.Services["serve"].Ports) == 0 {
		t.Error("serve publishes no port")
	}
	// `--scale worker=3` needs replicas that can coexist.
	w := p.Services["worker"]
	if w.ContainerName != "" || len(w.Ports) != 0 {
		t.Errorf("worker has a fixed name or published port; it could not scale: %q %+v", w.ContainerName, w.Ports)
	}
	if w.Environment["DOWNLINK_NODE_NAME"] != nil {
		t.Error("every worker replica would get the same node name")
	}
	// The secret never sits in the file itself.
	if !strings.Contains(string(raw), "${DOWNLINK_SECRET_KEY:?") {
		t.Error("DOWNLINK_SECRET_KEY is not required from the environment (.env)")
	}
	// Commented settings name real variables too.
	checkVarNames(t, "docker-compose.yml (comments)", downlinkNames(string(raw)))
	checkVarNames(t, "deploy/downlink.env.example", downlinkNames(string(readRepoFile(t, "deploy/downlink.env.example"))))
}

// TestComposeValidationBites: the loader really validates (a typo in a
// key, a missing secret are refused), so the test above means something.
func TestComposeValidationBites(t *testing.T) {
	raw := string(readRepoFile(t, "docker-compose.yml"))
	cases := []struct {
		name    string
		content string
		env     map[string]string
		want    string
	}{
		{"unknown key", strings.Replace(raw, "    stop_grace_period: 30s\n", "    stop_grace_period: 30s\n    restart_policy: always\n", 1), composeEnv, "restart_policy"},
		{"wrong type", strings.Replace(raw, "      retries: 20\n", "      retries: many\n", 1), composeEnv, "retries"},
		{"no secret key", raw, map[string]string{"POSTGRES_PASSWORD": "pw"}, "DOWNLINK_SECRET_KEY"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.content == raw && tc.name != "no secret key" {
				t.Fatal("the test's edit did not apply")
			}
			_, err := loadCompose(t, []byte(tc.content), tc.env)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one about %q", err, tc.want)
			}
		})
	}
}

func mounts(s types.ServiceConfig, source, target string) bool {
	for _, v := range s.Volumes {
		if v.Type == types.VolumeTypeVolume && v.Source == source && v.Target == target {
			return true
		}
	}
	return false
}

// downlinkNames finds DOWNLINK_* words in text (comments included).
func downlinkNames(text string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(text, func(r rune) bool {
		return !(r == '_' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
	}) {
		if strings.HasPrefix(f, "DOWNLINK_") && !strings.HasSuffix(f, "_") {
			out = append(out, f)
		}
	}
	return out
}
