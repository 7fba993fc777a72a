package deploytest

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
)

// The PO-token provider override merges into the compose project as
// docker compose -f docker-compose.yml -f deploy/compose.pot-provider.yml
// would: a bgutil service on the project network only, and workers that
// load the plugin folder read-only and keep their own settings.
func TestComposePOTProviderOverride(t *testing.T) {
	root := repoRoot(t)
	p, err := loader.LoadWithContext(context.Background(), types.ConfigDetails{
		WorkingDir: root,
		ConfigFiles: []types.ConfigFile{
			{Filename: filepath.Join(root, "docker-compose.yml"), Content: readRepoFile(t, "docker-compose.yml")},
			{Filename: filepath.Join(root, "deploy", "compose.pot-provider.yml"), Content: readRepoFile(t, "deploy/compose.pot-provider.yml")},
		},
		Environment: composeEnv,
	}, func(o *loader.Options) { o.SetProjectName("downlink", true) })
	if err != nil {
		t.Fatalf("override does not load: %v", err)
	}
	b, ok := p.Services["bgutil"]
	if !ok || len(b.Ports) != 0 {
		t.Fatalf("bgutil service %+v (want one, with no published port)", b)
	}
	w := p.Services["worker"]
	if dir := w.Environment["DOWNLINK_YTDLP_PLUGIN_DIR"]; dir == nil || *dir != "/opt/downlink/ytdlp-plugins" {
		t.Errorf("worker plugin dir %v", dir)
	}
	var ro bool
	for _, v := range w.Volumes {
		if v.Target == "/opt/downlink/ytdlp-plugins" && v.ReadOnly {
			ro = true
		}
	}
	if !ro {
		t.Errorf("worker does not mount the plugin folder read-only: %+v", w.Volumes)
	}
	if _, ok := w.Environment["DOWNLINK_DATABASE_URL"]; !ok {
		t.Error("the override lost the worker's own environment")
	}
	if w.DependsOn["postgres"].Condition != types.ServiceConditionHealthy {
		t.Errorf("the override lost the worker's depends_on: %+v", w.DependsOn)
	}
}
