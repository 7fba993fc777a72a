package settings_test

import (
	"context"
	"sync/atomic"
	"testing"

	"gorm.io/gorm"

	"github.com/downlink/downlink/api/internal/config"
	"github.com/downlink/downlink/api/internal/settings"
	"github.com/downlink/downlink/api/internal/store/storetest"
)

// TestHungDatabaseIsAskedOncePerTTL: while the database does not answer,
// a settings read gives up after its own deadline and serves the last
// known settings, and the reads right after it serve those at once instead
// of each waiting out the deadline again, one after another.
func TestHungDatabaseIsAskedOncePerTTL(t *testing.T) {
	st := storetest.New(t)
	var hang atomic.Bool
	var asked atomic.Int32
	err := st.DB.Callback().Query().Before("gorm:query").Register("test:hang", func(db *gorm.DB) {
		if hang.Load() && db.Statement.Table == "settings" {
			asked.Add(1)
			<-db.Statement.Context.Done()
			_ = db.AddError(db.Statement.Context.Err())
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	cfg := &config.Config{Workers: 3, GenericSites: true}
	s := settings.New(st.DB, nil, cfg, storetest.Logger())
	ctx := context.Background()
	if g := s.Global(ctx); g.DefaultConcurrency != 3 {
		t.Fatalf("before the hang: %+v", g)
	}
	settings.ExpireCache(s)
	hang.Store(true)
	for range 3 {
		if g := s.Global(ctx); g.DefaultConcurrency != 3 || !g.GenericSitesEnabled {
			t.Fatalf("during the hang: %+v, want the last known", g)
		}
	}
	if n := asked.Load(); n != 1 {
		t.Errorf("three reads asked the hung database %d times, want once", n)
	}
}
