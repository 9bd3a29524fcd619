package main

import (
	"io"
	"strings"
	"testing"
)

func TestFlags(t *testing.T) {
	t.Setenv("PUNCHCLOCK_FACE_KEY", "")
	t.Setenv("PUNCHCLOCK_FACE_ADMIN_TOKEN", "")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "no encryption key"},
		{[]string{"-key", strings.Repeat("ab", 32)}, "admin token is required"},
		{[]string{"-key", strings.Repeat("ab", 32), "-admin-token", "t", "-site-thresholds", "x"}, "not site=distance"},
	} {
		err := run(t.Context(), tc.args, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("run(%q) = %v, want %q", tc.args, err, tc.want)
		}
	}
	if s, err := parseSites("a=0.5, b=0.55"); err != nil || s["a"].Threshold != 0.5 || s["b"].Threshold != 0.55 {
		t.Fatalf("parseSites: %v %v", s, err)
	}
}
