package scantest_test

import (
	"strings"
	"testing"

	"punchclock/kiosk/scan/scantest"
)

func TestParseCorpus(t *testing.T) {
	good := `{"frames": [{"name": "a-1", "kind": "plain", "symbology": "qr", "text": "PC-0001", "scene": {"seed": 1}},
		{"name": "none-1", "kind": "none", "scene": {"seed": 2, "stripes": 3}}]}`
	frames, err := scantest.ParseCorpus([]byte(good))
	if err != nil || len(frames) != 2 || frames[1].Scene.Stripes != 3 {
		t.Fatalf("ParseCorpus(good) = %+v, %v", frames, err)
	}
	bad := []struct{ name, json, want string }{
		{"empty", `{"frames": []}`, "no frames"},
		{"unknown field", `{"frames": [{"name": "a", "kind": "k", "scene": {"sede": 1}}]}`, "unknown field"},
		{"repeated name", `{"frames": [{"name": "a", "kind": "k", "scene": {}}, {"name": "a", "kind": "k", "scene": {}}]}`, "repeated"},
		{"bad name", `{"frames": [{"name": "A b", "kind": "k", "scene": {}}]}`, "malformed"},
		{"no kind", `{"frames": [{"name": "a", "scene": {}}]}`, "no kind"},
		{"text without symbology", `{"frames": [{"name": "a", "kind": "k", "text": "x", "scene": {}}]}`, "both"},
		{"unknown symbology", `{"frames": [{"name": "a", "kind": "k", "symbology": "pdf417", "text": "x", "scene": {}}]}`, "unknown symbology"},
		{"ean13 without check digit", `{"frames": [{"name": "a", "kind": "k", "symbology": "ean13", "text": "200000000001", "scene": {}}]}`, "13 digits"},
		{"huge blur", `{"frames": [{"name": "a", "kind": "k", "scene": {"blur": 500}}]}`, "out of range"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			_, err := scantest.ParseCorpus([]byte(tt.json))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParseCorpus error = %v, want one saying %q", err, tt.want)
			}
		})
	}
}
