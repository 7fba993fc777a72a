package logs

import (
	"slices"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/downlink/downlink/api/internal/apispec"
)

// TestNamesMatchTheContract keeps Sources and Levels equal to the LogSource
// and LogLevel enums of openapi.yaml, which the UI's filters are made from.
func TestNamesMatchTheContract(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData(apispec.YAML)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string][]string{"LogSource": Sources, "LogLevel": Levels} {
		s := doc.Components.Schemas[name]
		if s == nil || s.Value == nil {
			t.Fatalf("openapi.yaml has no %s schema", name)
		}
		var enum []string
		for _, v := range s.Value.Enum {
			enum = append(enum, v.(string))
		}
		a, b := slices.Clone(enum), slices.Clone(want)
		slices.Sort(a)
		slices.Sort(b)
		if !slices.Equal(a, b) {
			t.Errorf("%s enum %v, package logs has %v", name, enum, want)
		}
	}
}
