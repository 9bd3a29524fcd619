//go:build linux

package main

import "testing"

// TestRun keeps the comparison program working: two frames a kind, one
// repetition. Peers that are not installed are skipped by run itself.
func TestRun(t *testing.T) {
	if testing.Short() {
		t.Skip("renders and decodes frames with external tools; skipped in -short")
	}
	if err := run(2, 1, t.TempDir()); err != nil {
		t.Fatal(err)
	}
}
