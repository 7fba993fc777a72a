package logs

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"testing"

	"github.com/google/uuid"
)

func TestRecordColumns(t *testing.T) {
	actor, target, dl := uuid.New(), uuid.New(), uuid.New()
	tests := []struct {
		name  string
		log   func(l *slog.Logger)
		check func(t *testing.T, r row, attrs map[string]any)
	}{
		{"request line", func(l *slog.Logger) {
			l.With("source", "http").Info("request", "request_id", "req-1", "user_id", actor.String(), "ip", "10.0.0.1", "status", 200)
		}, func(t *testing.T, r row, attrs map[string]any) {
			if r.Source != "http" || deref(r.RequestID) != "req-1" || r.UserID == nil || *r.UserID != actor ||
				deref(r.IP) != "10.0.0.1" || r.Audit {
				t.Fatalf("row %+v", r)
			}
			if _, ok := attrs["request_id"]; ok {
				t.Fatalf("column attribute left in attrs: %v", attrs)
			}
			if attrs["status"] != float64(200) {
				t.Fatalf("attrs %v", attrs)
			}
		}},
		{"audit with uuid values", func(l *slog.Logger) {
			l.With("source", "audit", "audit", true).Info("api key created", "action", "api key created",
				"actor_id", actor, "target", target.String(), "name", "ci")
		}, func(t *testing.T, r row, attrs map[string]any) {
			if !r.Audit || r.Source != "audit" || r.ActorID == nil || *r.ActorID != actor ||
				deref(r.Target) != target.String() || deref(r.Action) != "api key created" || attrs["name"] != "ci" {
				t.Fatalf("row %+v attrs %v", r, attrs)
			}
		}},
		{"audit without action takes the message", func(l *slog.Logger) {
			l.With("source", "audit", "audit", true).Info("login", "actor_id", actor)
		}, func(t *testing.T, r row, _ map[string]any) {
			if deref(r.Action) != "login" {
				t.Fatalf("action %v", r.Action)
			}
		}},
		{"download id", func(l *slog.Logger) {
			l.With("source", "downloads").Warn("download failed", "download_id", dl)
		}, func(t *testing.T, r row, _ map[string]any) {
			if r.DownloadID == nil || *r.DownloadID != dl || LevelName(slog.Level(r.Level)) != "warn" {
				t.Fatalf("row %+v", r)
			}
		}},
		{"no source is system", func(l *slog.Logger) { l.Info("downlink started") },
			func(t *testing.T, r row, _ map[string]any) {
				if r.Source != "system" {
					t.Fatalf("source %q", r.Source)
				}
			}},
		{"unknown source is system with its name kept", func(l *slog.Logger) { l.With("source", "gizmo").Info("x") },
			func(t *testing.T, r row, attrs map[string]any) {
				if r.Source != "system" || attrs["component"] != "gizmo" {
					t.Fatalf("source %q attrs %v", r.Source, attrs)
				}
			}},
		{"bad uuid stays in attrs", func(l *slog.Logger) { l.Info("x", "user_id", "not-a-uuid", "actor_id", uuid.Nil) },
			func(t *testing.T, r row, attrs map[string]any) {
				if r.UserID != nil || r.ActorID != nil || attrs["user_id"] != "not-a-uuid" {
					t.Fatalf("row %+v attrs %v", r, attrs)
				}
			}},
		{"groups flatten", func(l *slog.Logger) {
			l.WithGroup("job").With("id", 7).Info("x", slog.Group("opts", "preset", "best"), "request_id", "in-group")
		}, func(t *testing.T, r row, attrs map[string]any) {
			if attrs["job.id"] != float64(7) || attrs["job.opts.preset"] != "best" || attrs["job.request_id"] != "in-group" || r.RequestID != nil {
				t.Fatalf("row %+v attrs %v", r, attrs)
			}
		}},
		{"later attribute wins", func(l *slog.Logger) { l.With("source", "auth").Info("x", "source", "audit") },
			func(t *testing.T, r row, _ map[string]any) {
				if r.Source != "audit" || !r.Audit {
					t.Fatalf("row %+v", r)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := New(slog.NewJSONHandler(io.Discard, nil), Options{})
			tt.log(slog.New(h))
			rows := drain(h)
			if len(rows) != 1 {
				t.Fatalf("%d rows", len(rows))
			}
			var attrs map[string]any
			if err := json.Unmarshal([]byte(rows[0].Attrs), &attrs); err != nil {
				t.Fatalf("attrs %q: %v", rows[0].Attrs, err)
			}
			tt.check(t, rows[0], attrs)
		})
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func TestRequestContextFillsTheRequestColumns(t *testing.T) {
	h := New(slog.NewJSONHandler(io.Discard, nil), Options{})
	ctx := WithRequest(context.Background(), "req-9", "192.0.2.7")
	l := slog.New(h)
	l.InfoContext(ctx, "api key created")
	l.InfoContext(ctx, "own values win", "request_id", "req-own", "ip", "198.51.100.1")
	l.Info("no context")
	rows := drain(h)
	if len(rows) != 3 {
		t.Fatalf("%d rows", len(rows))
	}
	if deref(rows[0].RequestID) != "req-9" || deref(rows[0].IP) != "192.0.2.7" {
		t.Fatalf("from context: %+v", rows[0])
	}
	if deref(rows[1].RequestID) != "req-own" || deref(rows[1].IP) != "198.51.100.1" {
		t.Fatalf("own values: %+v", rows[1])
	}
	if rows[2].RequestID != nil || rows[2].IP != nil {
		t.Fatalf("without context: %+v", rows[2])
	}
}
