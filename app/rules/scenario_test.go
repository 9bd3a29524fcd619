package rules_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"punchclock/app/rules"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/rules")

const scenarioDir = "../../testdata/rules"

// TestScenarios evaluates every scenario of testdata/rules, checks its
// hand-written expectations and compares the records with the golden file
// NAME.golden.json (go test -run TestScenarios -update rewrites them).
func TestScenarios(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(scenarioDir, "*.json"))
	if err != nil || len(files) == 0 {
		if runtime.GOOS == "js" {
			t.Skipf("no access to %s under js: %v", scenarioDir, err)
		}
		t.Fatalf("no scenarios in %s: %v", scenarioDir, err)
	}
	n := 0
	for _, f := range files {
		if strings.HasSuffix(f, ".golden.json") {
			continue
		}
		n++
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			res, err := rules.EvalScenario(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			for _, msg := range res.Failures {
				t.Error(msg)
			}
			got, err := json.MarshalIndent(res, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			golden := strings.TrimSuffix(f, ".json") + ".golden.json"
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./app/rules -run TestScenarios -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("records differ from %s; diff them with -update and git diff:\n%s", golden, firstDiff(string(got), string(want)))
			}
		})
	}
	if n < 15 {
		t.Errorf("only %d scenarios; issue 4 asks for the cases listed in testdata/rules/README.md", n)
	}
}

// firstDiff shows the first differing line with a little context.
func firstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < len(g) || i < len(w); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return "line " + itoa(i+1) + ":\n got: " + gl + "\nwant: " + wl
		}
	}
	return ""
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }
