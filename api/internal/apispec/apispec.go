// Package apispec embeds the API contract. openapi.yaml here is a copy of
// the repository's top-level openapi.yaml (go:embed cannot reach parent
// folders); `go generate ./api/internal/apispec` refreshes it and a test
// fails when the two differ.
package apispec

import _ "embed"

//go:generate cp ../../../openapi.yaml openapi.yaml

// YAML is openapi.yaml.
//
//go:embed openapi.yaml
var YAML []byte
