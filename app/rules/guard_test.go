package rules_test

import (
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// TestImportGuard keeps the engine pure: no network, database, process or
// UI package may reach app/rules, natively or in the wasm build, and no
// package outside the standard library may use syscall/js. (Under js the
// standard library's own syscall and time packages are built on
// syscall/js; that is the platform, not a dependency of ours.)
func TestImportGuard(t *testing.T) {
	if runtime.GOOS == "js" {
		t.Skip("go list cannot run under js; the native run checks both targets")
	}
	if testing.Short() {
		t.Skip("runs go list")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("no go command: %v", err)
	}
	forbidden := func(p string) bool {
		switch p {
		case "net", "database/sql", "os/exec", "net/http":
			return true
		}
		return strings.HasPrefix(p, "github.com/maxence-charriere/go-app")
	}
	for _, target := range [][]string{nil, {"GOOS=js", "GOARCH=wasm"}} {
		cmd := exec.Command(goBin, "list", "-deps", "-f", "{{.ImportPath}} {{.Standard}} {{join .Imports \" \"}}", "punchclock/app/rules")
		cmd.Env = append(os.Environ(), target...)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("go list %v: %v", target, err)
		}
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			f := strings.Fields(line)
			if len(f) < 2 {
				t.Fatalf("go list line %q", line)
			}
			pkg, std, imports := f[0], f[1] == "true", f[2:]
			if forbidden(pkg) {
				t.Errorf("app/rules depends on %s (env %v)", pkg, target)
			}
			if !std && slices.Contains(imports, "syscall/js") {
				t.Errorf("%s imports syscall/js (env %v)", pkg, target)
			}
		}
	}
}
