package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"punchclock/server/internal/httpapi"
	"punchclock/server/internal/punchd"
)

// TestTokenFile: `punchd token -file` makes the token once (mode 600) and
// registers the same token at every call, in a new database too, as
// `make run` relies on for facematchd's face-role token.
func TestTokenFile(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, file := filepath.Join(dir, "p.db"), filepath.Join(dir, "var", "face.token")
	mint := func() string {
		t.Helper()
		if err := run(ctx, []string{"-db", db, "token", "-name", "facematchd", "-role", "face", "-file", file}); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(string(b))
	}
	registered := func(tok string) string {
		t.Helper()
		st, err := punchd.OpenStore(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		rec, err := st.TokenByHash(ctx, httpapi.HashToken(tok))
		if err != nil {
			t.Fatalf("token not registered: %v", err)
		}
		return rec.Role
	}
	tok := mint()
	if !strings.HasPrefix(tok, "pc_face_") || registered(tok) != httpapi.RoleFace {
		t.Fatalf("token %q", tok)
	}
	if fi, err := os.Stat(file); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("token file mode: %v %v", fi.Mode(), err)
	}
	if again := mint(); again != tok {
		t.Fatalf("second call made %q, want the kept %q", again, tok)
	}
	// A new database gets the kept token.
	if err := os.Remove(db); err != nil {
		t.Fatal(err)
	}
	if again := mint(); again != tok || registered(tok) != httpapi.RoleFace {
		t.Fatalf("after a new database: %q", again)
	}
	if err := run(ctx, []string{"-db", db, "token", "-name", "x", "-role", "root"}); err == nil || !strings.Contains(err.Error(), "face") {
		t.Errorf("unknown role: %v", err)
	}
}

// TestTokenRate: `punchd token -rate N` gives the token its requests a
// minute; a rate out of bounds is refused.
func TestTokenRate(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, file := filepath.Join(dir, "p.db"), filepath.Join(dir, "erp.token")
	if err := run(ctx, []string{"-db", db, "token", "-name", "erp", "-rate", "120", "-file", file}); err != nil {
		t.Fatal(err)
	}
	tok, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	st, err := punchd.OpenStore(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if rec, err := st.TokenByHash(ctx, httpapi.HashToken(strings.TrimSpace(string(tok)))); err != nil || rec.RatePerMin != 120 {
		t.Errorf("token: %+v %v, want a rate of 120", rec, err)
	}
	for _, rate := range []string{"-1", "60001"} {
		if err := run(ctx, []string{"-db", db, "token", "-name", "x", "-rate", rate}); err == nil || !strings.Contains(err.Error(), "-rate") {
			t.Errorf("-rate %s: %v", rate, err)
		}
	}
}
