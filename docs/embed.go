// Package docs embeds the project's documents that a binary serves: the master's OpenAPI description.
package docs

import _ "embed"

// OpenAPI is docs/openapi.yaml, the master's public API in OpenAPI 3.1; the master serves it at GET /openapi.yaml.
//
//go:embed openapi.yaml
var OpenAPI []byte
