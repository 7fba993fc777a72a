package apispec

import (
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/downlink/downlink/api/internal/events"
)

// TestEventNamesMatchTheServer checks GET /api/v1/events against the
// server: its `types` filter lists exactly what ParseFilter accepts, and
// EventType (every event name a stream carries) is those names plus
// events.resync. A name the contract offers but the server refuses is a
// 400 for the integrator who trusted it.
func TestEventNamesMatchTheServer(t *testing.T) {
	var spec struct {
		Paths map[string]map[string]struct {
			Parameters []struct {
				Name   string `json:"name"`
				Schema struct {
					Items struct {
						Enum []string `json:"enum"`
					} `json:"items"`
				} `json:"schema"`
			} `json:"parameters"`
		} `json:"paths"`
		Components struct {
			Schemas map[string]struct {
				Enum []string `json:"enum"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := yaml.Unmarshal(YAML, &spec); err != nil {
		t.Fatal(err)
	}
	var filter []string
	for _, p := range spec.Paths["/api/v1/events"]["get"].Parameters {
		if p.Name == "types" {
			filter = p.Schema.Items.Enum
		}
	}
	if got, want := sorted(filter), sorted(events.Subscribable); !slices.Equal(got, want) {
		t.Errorf("the types filter in openapi.yaml is %q; the server accepts %q", got, want)
	}
	var names []string
	for _, s := range events.Subscribable {
		if !strings.HasSuffix(s, ".*") {
			names = append(names, s)
		}
	}
	names = append(names, events.TypeResync)
	if got, want := sorted(spec.Components.Schemas["EventType"].Enum), sorted(names); !slices.Equal(got, want) {
		t.Errorf("EventType in openapi.yaml is %q; the server sends %q", got, want)
	}
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}
