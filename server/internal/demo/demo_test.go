package demo_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"punchclock/server/internal/demo"
	"punchclock/server/internal/httpapi"
	"punchclock/server/internal/sqlite"
)

// TestSeedFaceURL: the demo store's face service follows the address make
// run starts facematchd on; the site without one stays without.
func TestSeedFaceURL(t *testing.T) {
	for _, tt := range []struct{ arg, want string }{{"", "http://127.0.0.1:8090"}, {"http://192.168.1.20:9000", "http://192.168.1.20:9000"}} {
		ctx := context.Background()
		st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "p.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		now := func() time.Time { return time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC) }
		if _, err := demo.Seed(ctx, st, t.TempDir(), now, httpapi.HashToken, tt.arg); err != nil {
			t.Fatal(err)
		}
		sites, err := st.Sites(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, s := range sites {
			got[s.ID] = s.FaceURL
		}
		if got["sh-jingan"] != tt.want || got["muc-works"] != "" {
			t.Errorf("-demo-face-url %q: face URLs %v, want sh-jingan %s and none for muc-works", tt.arg, got, tt.want)
		}
	}
}
