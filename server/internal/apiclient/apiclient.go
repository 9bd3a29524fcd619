// Package apiclient proves punchd's OpenAPI document
// (server/internal/httpapi/openapi.json) with a client nobody here
// wrote: its test generates a Go client from the current document with
// oapi-codegen (go.mod's tool directive: `go tool oapi-codegen`, from the
// module cache), builds testdata/payroll, an integration program on that
// client, and runs it against a running punchd with the demo data.
//
// The package holds no code of its own. It imports the generated code's
// runtime so go.mod keeps it (the generated client exists only while the
// test runs).
package apiclient

import (
	_ "github.com/oapi-codegen/runtime"       // the generated client's parameter binding
	_ "github.com/oapi-codegen/runtime/types" // and its date type
)
