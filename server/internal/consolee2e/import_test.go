package consolee2e

import (
	"context"
	"os"
	"testing"
	"time"

	"punchclock/app/rules"
	"punchclock/server/internal/auth"
	"punchclock/server/internal/e2etest"
	"punchclock/server/internal/orgimport/orgimporttest"
	"punchclock/server/internal/punchd"
)

// writeSheet writes the acceptance file (orgimporttest.Sheet) to path.
func writeSheet(t *testing.T, path string, bad bool) {
	t.Helper()
	b, err := orgimporttest.Sheet(bad)
	if err == nil {
		err = os.WriteFile(path, b, 0o644)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// TestConsoleImport: HR of the retail unit, to whom the kiosks are not
// shown (punchd refuses them), imports 200 employees from an XLSX file in
// the console. The file with three bad rows is checked (a dry run): each
// problem is listed by line, nothing is written, and there is nothing to
// confirm. The fixed file checks clean, and confirming writes all 200
// (checkBadSheet, importSheet). Then HR prints the unit's badge sheet,
// and its badges scan with the kiosk's decoder (printBadges).
func TestConsoleImport(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	clock := e2etest.NewClock(rules.NewDate(2026, 3, 11).At(rules.NewClock(10, 0), sh))
	s := e2etest.StartServer(t, punchd.Config{WebDir: webDir, Version: "console-e2e", Now: clock.Now})
	if _, _, err := s.Main().API.Auth.PutUser(context.Background(), "u-hr", auth.UserRequest{Login: "hr@example.com", Name: "Hu Rong", Role: auth.RoleHR, Unit: "retail", Password: adminPassword}, "e2etest"); err != nil {
		t.Fatal(err)
	}
	ctx := signedIn(t, s, clock, 4*time.Minute, "hr@example.com")
	// HR's first section, the kiosks, is not theirs: punchd says so.
	e2etest.Wait(t, ctx, "the kiosks refused", `document.getElementById("me")?.dataset.role === "hr" && !!document.getElementById("kiosks-forbidden")`, 30*time.Second)
	checkBadSheet(t, ctx, s)
	importSheet(t, ctx, s)
	printBadges(t, ctx, s, "retail")
}
