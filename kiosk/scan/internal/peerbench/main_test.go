//go:build linux

package main

import (
	"os"
	"testing"

	"punchclock/kiosk/scan/scantest"
)

// TestRun keeps the comparison program working on a tenth of the corpus,
// one repetition, and checks the peers' output parsers on the formats
// they print. Peers that are not installed are skipped by run itself.
func TestRun(t *testing.T) {
	if got := parseZXing("a.pgm QRCode \"PC-0001\"\nb.pgm None\n"); len(got) != 1 || got["a.pgm"] != "PC-0001" {
		t.Errorf("parseZXing = %v", got)
	}
	zbar := "<barcodes>\n<source href='/t/a.pgm'>\n<index num='0'>\n<symbol type='CODE-128'><data><![CDATA[PC-0005]]></data></symbol>\n</index>\n</source>\n<source href='/t/b.pgm'>\n</source>\n</barcodes>\n"
	if got := parseZbar(zbar); len(got) != 1 || got["a.pgm"] != "PC-0005" {
		t.Errorf("parseZbar = %v", got)
	}
	if testing.Short() {
		t.Skip("renders and decodes frames with external tools; skipped in -short")
	}
	frames, err := scantest.LoadCorpus("../../../../testdata/scan/corpus.json")
	if err != nil {
		t.Fatal(err)
	}
	var some []scantest.CorpusFrame
	for i := 0; i < len(frames); i += 10 {
		some = append(some, frames[i])
	}
	out, err := os.CreateTemp(t.TempDir(), "report")
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	ok, err := run(out, some, 1, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if !ok {
		b, _ := os.ReadFile(out.Name())
		t.Errorf("targets missed on a tenth of the corpus:\n%s", b)
	}
}
