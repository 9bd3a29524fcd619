//go:build !unix

package storm

import "time"

// processCPU is not measured here.
func processCPU() time.Duration { return 0 }
