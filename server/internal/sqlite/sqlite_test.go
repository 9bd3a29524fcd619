package sqlite_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"punchclock/server/internal/sqlite"
	"punchclock/server/internal/store"
	"punchclock/server/internal/store/storetest"
)

func open(t *testing.T) store.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "punchclock.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) { storetest.Run(t, open) }

func TestReopenKeepsData(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "p.db")
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	storetest.Seed(t, s)
	s.Close()
	s, err = sqlite.Open(ctx, path) // migrations are not re-applied
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if e, err := s.Employee(ctx, "e1"); err != nil || !strings.HasPrefix(e.Name, "Li") {
		t.Fatalf("after reopen: %+v %v", e, err)
	}
}
