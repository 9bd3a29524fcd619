// Command corpusgen renders the badge corpus (testdata/scan/corpus.json)
// into image files, for people to look at and for other decoders to read:
//
//	go run ./kiosk/scan/internal/corpusgen [-corpus testdata/scan/corpus.json] [-o var/scan-corpus] [-format png|pgm]
//
// It writes one file a frame, named after the frame, and expected.tsv
// (name, kind, symbology, text; empty for frames without a code). The
// frames are rendered, not stored: the same corpus renders the same pixels
// on every run (see scantest).
package main

import (
	"flag"
	"log"

	"punchclock/kiosk/scan/scantest"
)

func main() {
	corpus := flag.String("corpus", "testdata/scan/corpus.json", "corpus file")
	out := flag.String("o", "var/scan-corpus", "output directory")
	format := flag.String("format", "png", "png or pgm (8-bit gray)")
	flag.Parse()
	log.SetFlags(0)
	frames, err := scantest.LoadCorpus(*corpus)
	if err != nil {
		log.Fatal(err)
	}
	files, err := scantest.WriteCorpus(*out, *format, frames)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("corpusgen: %d frames in %s", len(files), *out)
}
