package httpapi_test

import (
	"os"
	"testing"

	"punchclock/server/internal/httpapi/opcover"
)

// TestMain checks, once the package's tests passed, that they exercised
// every documented operation but the devices' (tested in punchd), each
// answered with success and refused (package opcover).
func TestMain(m *testing.M) {
	os.Exit(opcover.Run(m, func(path string) bool { return !opcover.Device(path) }))
}
