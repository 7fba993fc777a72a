package events

import "testing"

func TestFilterMatch(t *testing.T) {
	own := Event{Type: TypeDownloadProgress, UserID: "u1"}
	other := Event{Type: TypeDownloadProgress, UserID: "u2"}
	system := Event{Type: TypeLogAppended}
	resync := Event{Type: TypeResync}
	tests := []struct {
		name   string
		filter Filter
		event  Event
		want   bool
	}{
		{"own event", Filter{UserID: "u1"}, own, true},
		{"someone else's event", Filter{UserID: "u1"}, other, false},
		{"system event to a user", Filter{UserID: "u1"}, system, false},
		{"all sees others", Filter{All: true}, other, true},
		{"all sees system", Filter{All: true}, system, true},
		{"zero filter sees nothing", Filter{}, system, false},
		{"zero filter gets resync", Filter{}, resync, true},
		{"type listed", Filter{UserID: "u1", Types: []string{"log.appended", TypeDownloadProgress}}, own, true},
		{"type not listed", Filter{UserID: "u1", Types: []string{TypeDownloadUpdated}}, own, false},
		{"type prefix", Filter{UserID: "u1", Types: []string{"download.*"}}, own, true},
		{"type prefix miss", Filter{All: true, Types: []string{"download.*"}}, system, false},
		{"resync ignores types", Filter{UserID: "u1", Types: []string{TypeFileCreated}}, resync, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.filter.Match(tt.event); got != tt.want {
				t.Errorf("Match = %v, want %v", got, tt.want)
			}
		})
	}
}
