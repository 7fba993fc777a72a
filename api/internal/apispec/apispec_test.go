package apispec

import (
	"bytes"
	"os"
	"testing"
)

func TestEmbeddedCopyIsCurrent(t *testing.T) {
	top, err := os.ReadFile("../../../openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(top, YAML) {
		t.Fatal("api/internal/apispec/openapi.yaml differs from the top-level openapi.yaml: run `go generate ./api/internal/apispec` (make does it)")
	}
}
