package punchd_test

import (
	"os"
	"testing"

	"punchclock/server/internal/httpapi/opcover"
)

// TestMain checks, once the package's tests passed, that they exercised
// every operation kiosks and phones call, each answered with success and
// refused (package opcover).
func TestMain(m *testing.M) {
	os.Exit(opcover.Run(m, opcover.Device))
}
