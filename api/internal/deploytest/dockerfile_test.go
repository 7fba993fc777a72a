package deploytest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// instruction is one Dockerfile instruction, continuation lines joined.
type instruction struct {
	cmd  string // upper case
	args string
}

// stage is one FROM … and what follows it.
type stage struct {
	image, name string
	ins         []instruction
}

func parseDockerfile(t *testing.T, text string) []stage {
	t.Helper()
	var stages []stage
	var cur strings.Builder
	flush := func() {
		line := strings.TrimSpace(cur.String())
		cur.Reset()
		if line == "" {
			return
		}
		cmd, args, _ := strings.Cut(line, " ")
		in := instruction{cmd: strings.ToUpper(cmd), args: strings.TrimSpace(args)}
		if in.cmd == "FROM" {
			f := strings.Fields(in.args)
			s := stage{image: f[0]}
			if len(f) == 3 && strings.EqualFold(f[1], "AS") {
				s.name = f[2]
			}
			stages = append(stages, s)
			return
		}
		if len(stages) == 0 {
			if in.cmd != "ARG" {
				t.Fatalf("%s before the first FROM", in.cmd)
			}
			return
		}
		stages[len(stages)-1].ins = append(stages[len(stages)-1].ins, in)
	}
	for _, line := range strings.Split(text, "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "#") && cur.Len() == 0 || trimmed == "" && cur.Len() == 0 {
			continue
		}
		if strings.HasPrefix(trimmed, "#") {
			continue // a comment inside a continued instruction
		}
		if strings.HasSuffix(trimmed, "\\") {
			cur.WriteString(strings.TrimSuffix(trimmed, "\\") + " ")
			continue
		}
		cur.WriteString(trimmed)
		flush()
	}
	flush()
	return stages
}

func (s stage) all(cmd string) []string {
	var out []string
	for _, in := range s.ins {
		if in.cmd == cmd {
			out = append(out, in.args)
		}
	}
	return out
}

func (s stage) last(cmd string) string {
	all := s.all(cmd)
	if len(all) == 0 {
		return ""
	}
	return all[len(all)-1]
}

func TestDockerfile(t *testing.T) {
	stages := parseDockerfile(t, string(readRepoFile(t, "deploy/Dockerfile")))
	if len(stages) != 3 {
		t.Fatalf("%d stages, want ui, build and runtime", len(stages))
	}
	ui, build, run := stages[0], stages[1], stages[2]
	if !strings.HasPrefix(ui.image, "node:20") || !strings.Contains(strings.Join(ui.all("RUN"), ";"), "npm ci") ||
		!strings.Contains(strings.Join(ui.all("RUN"), ";"), "npm run build") {
		t.Errorf("UI stage %s: want node:20 with npm ci and npm run build", ui.image)
	}
	buildRuns := strings.Join(build.all("RUN"), ";")
	if !strings.HasPrefix(build.image, "golang:1.26") || !strings.Contains(buildRuns, "go build -trimpath") ||
		!strings.Contains(buildRuns, "./api/cmd/downlink") {
		t.Errorf("build stage %s: want golang:1.26 running go build -trimpath ./api/cmd/downlink", build.image)
	}
	if !strings.Contains(strings.Join(build.all("COPY"), ";"), "--from="+ui.name) {
		t.Errorf("the build stage does not take the UI from stage %q", ui.name)
	}
	if !strings.HasPrefix(run.image, "debian:") || !strings.HasSuffix(run.image, "-slim") {
		t.Errorf("runtime image %s, want a slim Debian", run.image)
	}
	runRuns := strings.Join(run.all("RUN"), ";")
	if !strings.Contains(runRuns, "install-deps.sh --runtime") {
		t.Error("the runtime does not install yt-dlp and ffmpeg with install-deps.sh --runtime")
	}
	if !strings.Contains(strings.Join(run.all("COPY"), ";"), "--from="+build.name) {
		t.Errorf("the runtime does not take the binary from stage %q", build.name)
	}
	user := run.last("USER")
	if uid, _, _ := strings.Cut(user, ":"); user == "" || uid == "root" || uid == "0" {
		t.Errorf("the image runs as %q, want a non-root user", user)
	}
	if hc := run.last("HEALTHCHECK"); !strings.Contains(hc, "/healthz") {
		t.Errorf("HEALTHCHECK %q does not ask /healthz", hc)
	}
	var entry, cmd []string
	if err := json.Unmarshal([]byte(run.last("ENTRYPOINT")), &entry); err != nil || len(entry) == 0 || entry[len(entry)-1] != "downlink" {
		t.Errorf("ENTRYPOINT %q (%v): want the exec form running downlink", run.last("ENTRYPOINT"), err)
	}
	if err := json.Unmarshal([]byte(run.last("CMD")), &cmd); err != nil || len(cmd) != 1 || cmd[0] != "serve" {
		t.Errorf("CMD %q: want [\"serve\"]", run.last("CMD"))
	}
	env := strings.Join(run.all("ENV"), " ")
	for _, want := range []string{"DOWNLINK_ADDR=0.0.0.0:8080", "DOWNLINK_DATA_DIR=/data"} {
		if !strings.Contains(env, want) {
			t.Errorf("ENV lacks %s", want)
		}
	}
	checkVarNames(t, "Dockerfile", downlinkNames(env))
	if !strings.Contains(run.last("VOLUME"), "/data") {
		t.Errorf("VOLUME %q, want /data", run.last("VOLUME"))
	}
	// What the build copies from the context exists (and is not ignored).
	for _, s := range stages {
		for _, c := range s.all("COPY") {
			if strings.HasPrefix(c, "--from=") {
				continue
			}
			f := strings.Fields(c)
			for _, src := range f[:len(f)-1] {
				if _, err := os.Stat(filepath.Join(repoRoot(t), src)); err != nil {
					t.Errorf("COPY %s: %v", src, err)
				}
			}
		}
	}
	ignore := string(readRepoFile(t, ".dockerignore"))
	for _, must := range []string{"frontend/node_modules", ".git"} {
		if !strings.Contains(ignore, must) {
			t.Errorf(".dockerignore does not leave out %s", must)
		}
	}
}
