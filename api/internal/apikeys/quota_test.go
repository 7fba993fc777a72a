package apikeys_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/downlink/downlink/api/internal/apikeys"
	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/problem"
)

// consume runs ConsumeDownload in its own transaction, committed unless
// rollback is set, as the downloads service will.
func consume(f fixture, keyID uuid.UUID, rollback bool) error {
	errRollback := errors.New("rolled back on purpose")
	err := f.st.DB.Transaction(func(tx *gorm.DB) error {
		if err := f.keys.ConsumeDownload(context.Background(), tx, keyID); err != nil {
			return err
		}
		if rollback {
			return errRollback
		}
		return nil
	})
	if errors.Is(err, errRollback) {
		return nil
	}
	return err
}

func quota(n int) *int { return &n }

func TestConsumeDownload(t *testing.T) {
	f := newFixture(t, authz.RoleUser)
	ctx := context.Background()
	limited := f.newKey(t, apikeys.Spec{DailyDownloadQuota: quota(2)})
	unlimited := f.newKey(t, apikeys.Spec{})

	steps := []struct {
		name     string
		key      uuid.UUID
		rollback bool
		wantErr  bool
		wantUsed int
	}{
		{"rolled back before any use", limited.ID, true, false, 0},
		{"first of two", limited.ID, false, false, 1},
		{"rolled back does not count", limited.ID, true, false, 1},
		{"second of two", limited.ID, false, false, 2},
		{"third is refused", limited.ID, false, true, 2},
		{"refused again", limited.ID, false, true, 2},
		{"no quota: never refused", unlimited.ID, false, false, 0},
		{"no quota: still not refused", unlimited.ID, false, false, 0},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			err := consume(f, s.key, s.rollback)
			if !s.wantErr {
				if err != nil {
					t.Fatalf("ConsumeDownload: %v", err)
				}
			} else {
				var p *problem.Problem
				if !errors.As(err, &p) || !errors.Is(err, apikeys.ErrQuotaExceeded) {
					t.Fatalf("got %v, want ErrQuotaExceeded", err)
				}
				if p.Status != http.StatusTooManyRequests {
					t.Fatalf("status %d", p.Status)
				}
				body := p.Body()
				if body["limit"] != 2 || body["used"] != 2 {
					t.Fatalf("limit/used in %v", body)
				}
				reset, err := time.Parse(time.RFC3339, body["reset_at"].(string))
				if err != nil {
					t.Fatalf("reset_at %v: %v", body["reset_at"], err)
				}
				now := time.Now().UTC()
				tomorrow := time.Date(now.Year(), now.Month(), now.Day()+1, 0, 0, 0, 0, time.UTC)
				if !reset.Equal(tomorrow) && !reset.Equal(tomorrow.AddDate(0, 0, 1)) {
					t.Fatalf("reset_at %v, want next UTC midnight %v", reset, tomorrow)
				}
				if p.Headers["Retry-After"] == "" {
					t.Fatal("no Retry-After")
				}
			}
			used, _, err := f.keys.QuotaUsed(ctx, s.key)
			if err != nil {
				t.Fatal(err)
			}
			if used != s.wantUsed {
				t.Fatalf("used %d, want %d", used, s.wantUsed)
			}
		})
	}
}

// Several nodes (goroutines here) submitting at once never exceed the quota
// and never fail for any reason other than the quota.
func TestConsumeDownloadConcurrent(t *testing.T) {
	f := newFixture(t, authz.RoleUser)
	const limit, callers = 5, 12
	k := f.newKey(t, apikeys.Spec{DailyDownloadQuota: quota(limit)})
	var (
		wg          sync.WaitGroup
		mu          sync.Mutex
		ok, refused int
		unexpected  []error
		start       = make(chan struct{})
	)
	for range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			err := consume(f, k.ID, false)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
			case errors.Is(err, apikeys.ErrQuotaExceeded):
				refused++
			default:
				unexpected = append(unexpected, err)
			}
		}()
	}
	close(start)
	wg.Wait()
	if len(unexpected) > 0 {
		t.Fatalf("unexpected errors: %v", unexpected)
	}
	if ok != limit || refused != callers-limit {
		t.Fatalf("%d accepted and %d refused, want %d and %d", ok, refused, limit, callers-limit)
	}
	used, q, err := f.keys.QuotaUsed(context.Background(), k.ID)
	if err != nil || used != limit || q == nil || *q != limit {
		t.Fatalf("QuotaUsed = %d, %v, %v", used, q, err)
	}
}
