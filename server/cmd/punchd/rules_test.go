package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRulesEval runs `punchd rules eval` over every scenario file: each
// prints day records with reasons, and every expectation in the files holds.
func TestRulesEval(t *testing.T) {
	files, _ := filepath.Glob("../../../testdata/rules/*.json")
	n := 0
	for _, f := range files {
		if strings.HasSuffix(f, ".golden.json") {
			continue
		}
		n++
		var out bytes.Buffer
		if err := rulesEvalCmd(&out, []string{f}); err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		var res struct {
			Records []struct {
				Date    string            `json:"date"`
				Reasons []json.RawMessage `json:"reasons"`
			} `json:"records"`
		}
		if err := json.Unmarshal(out.Bytes(), &res); err != nil || len(res.Records) == 0 || len(res.Records[0].Reasons) == 0 {
			t.Errorf("%s: output is not day records with reasons (%v): %.200s", f, err, out.String())
		}
	}
	if n < 10 {
		t.Errorf("only %d scenario files found", n)
	}
	if err := rulesEvalCmd(&bytes.Buffer{}, []string{"nope.json"}); err == nil {
		t.Error("missing file: no error")
	}
	bad := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(bad, []byte(`{"rules": {"shifts": [{"id": "x", "start": "25:00"}]}, "zone": "Asia/Shanghai"}`), 0o600)
	if err := rulesEvalCmd(&bytes.Buffer{}, []string{bad}); err == nil {
		t.Error("invalid scenario: no error")
	}
}
