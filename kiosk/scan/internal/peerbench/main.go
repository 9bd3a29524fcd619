//go:build linux

// Command peerbench compares the badge decoder with the decoders people
// already trust, zbarimg (Debian zbar-tools) and ZXingReader (Debian
// zxing-cpp-tools, the C++ port of ZXing), on the badge corpus
// (testdata/scan/corpus.json, rendered by scantest):
//
//	go run ./kiosk/scan/internal/peerbench [-corpus FILE] [-reps 3] [-keep DIR]
//
// It writes the frames as binary PGM (8-bit gray) files, runs each peer
// once over all of them, and prints for every decoder how many code frames
// it read correctly, how many it read wrong, how many frames without a
// code it read anything from (a false read would punch someone), and
// milliseconds a frame; then the union of the peers' reads, whether ours
// reads at least that many, and the reads by kind. PGM rather than PNG
// because loading it is a plain read for every tool: with PNG the figures
// mostly measure zlib.
//
// Times: the peers are separate processes, so their time a frame is
// (time for all files - time for one file) / (n-1), which removes process
// start-up. Ours is timed in process on the same gray bytes (DecodeGray)
// and on the RGBA frame (DecodeRGBA, the kiosk's path with the gray
// conversion), each frame's fastest of -reps runs, so the median is shown
// too. CPU time is user+system (getrusage for us, the child's rusage for
// the peers), which a shared, loaded machine disturbs far less than wall
// time. Each total is the best of -reps runs.
//
// It exits with status 1 when ours reads fewer code frames than the union
// of the peers, or reads anything from a frame without a code.
//
// Linux only: it runs Debian's tools and reads rusage.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"image"
	"log"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"

	"punchclock/kiosk/scan"
	"punchclock/kiosk/scan/scantest"
)

func main() {
	corpus := flag.String("corpus", "testdata/scan/corpus.json", "corpus file")
	reps := flag.Int("reps", 3, "repetitions; the best is reported")
	keep := flag.String("keep", "", "write the PGM frames to this directory and keep them")
	flag.Parse()
	log.SetFlags(0)
	frames, err := scantest.LoadCorpus(*corpus)
	if err != nil {
		log.Fatal(err)
	}
	ok, err := run(os.Stdout, frames, *reps, *keep)
	if err != nil {
		log.Fatal(err)
	}
	if !ok {
		os.Exit(1)
	}
}

// outcome is what one decoder made of the corpus: the text read from each
// frame ("" for nothing) and its times.
type outcome struct {
	name      string
	texts     []string
	cpu, wall float64   // ms a frame
	perFrame  []float64 // ms, ours only
	missing   bool      // not installed
}

// run benchmarks the decoders on frames and reports whether ours met the
// targets.
func run(w *os.File, frames []scantest.CorpusFrame, reps int, keep string) (bool, error) {
	if len(frames) < 2 {
		return false, errors.New("peerbench: need at least two frames")
	}
	dir := keep
	if dir == "" {
		tmp, err := os.MkdirTemp("", "peerbench")
		if err != nil {
			return false, fmt.Errorf("peerbench: %w", err)
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	}
	files, err := scantest.WriteCorpus(dir, "pgm", frames)
	if err != nil {
		return false, err
	}
	rgba := make([]*image.RGBA, len(frames))
	grays := make([]*image.Gray, len(frames))
	for i, f := range frames {
		if rgba[i], err = f.Render(); err != nil {
			return false, err
		}
		grays[i] = scantest.Gray(rgba[i])
	}

	results := []outcome{
		ours("scan (gray)", len(frames), reps, func(d *scan.Decoder, i int) (scan.Result, error) {
			return d.DecodeGray(grays[i].Pix, grays[i].Rect.Dx(), grays[i].Rect.Dy())
		}),
		ours("scan (RGBA)", len(frames), reps, func(d *scan.Decoder, i int) (scan.Result, error) {
			return d.DecodeRGBA(rgba[i].Pix, rgba[i].Rect.Dx(), rgba[i].Rect.Dy())
		}),
		peer("ZXingReader", []string{"ZXingReader", "-1"}, files, reps, parseZXing),
		peer("zbarimg", []string{"zbarimg", "--xml", "-q", "--nodbus"}, files, reps, parseZbar),
	}
	return report(w, frames, results), nil
}

// ours times our decoder over every frame, reps times, keeping each
// frame's fastest time and the least total CPU time.
func ours(name string, n, reps int, decode func(*scan.Decoder, int) (scan.Result, error)) outcome {
	o := outcome{name: name, texts: make([]string, n), perFrame: make([]float64, n), cpu: math.Inf(1), wall: math.Inf(1)}
	for i := range o.perFrame {
		o.perFrame[i] = math.Inf(1)
	}
	for range reps {
		d := scan.NewDecoder()
		runtime.GC()
		c0, w0 := cpuTime(), time.Now()
		for i := range n {
			start := time.Now()
			res, err := decode(d, i)
			o.perFrame[i] = min(o.perFrame[i], ms(time.Since(start)))
			o.texts[i] = ""
			if err == nil {
				o.texts[i] = res.Text
			}
		}
		o.cpu = min(o.cpu, ms(cpuTime()-c0)/float64(n))
		o.wall = min(o.wall, ms(time.Since(w0))/float64(n))
	}
	return o
}

// peer runs a command-line decoder over all files and over the first
// alone, reps times each, and parses what it read from each file.
func peer(name string, cmd []string, files []string, reps int, parse func(out string) map[string]string) outcome {
	o := outcome{name: name, texts: make([]string, len(files))}
	if _, err := exec.LookPath(cmd[0]); err != nil {
		fmt.Fprintf(os.Stderr, "skipping %s: not installed (apt-get install -y zbar-tools zxing-cpp-tools)\n", cmd[0])
		o.missing = true
		return o
	}
	var out string
	one, all := best(reps, func() (measure, string) { return timed(cmd, files[:1]) }), measure{cpu: math.Inf(1)}
	for range reps {
		m, text := timed(cmd, files)
		if m.cpu < all.cpu {
			all, out = m, text
		}
	}
	n := float64(len(files) - 1)
	o.cpu, o.wall = (all.cpu-one.cpu)/n, (all.wall-one.wall)/n
	read := parse(out)
	for i, f := range files {
		o.texts[i] = read[filepath.Base(f)]
	}
	return o
}

// measure is one timed run, in milliseconds.
type measure struct{ cpu, wall float64 }

func best(reps int, f func() (measure, string)) measure {
	b := measure{cpu: math.Inf(1)}
	for range reps {
		if m, _ := f(); m.cpu < b.cpu {
			b = m
		}
	}
	return b
}

// timed runs cmd over files and returns its times and standard output.
// Exit codes are ignored: zbarimg exits 4 when some file has no code, which
// is the point of the frames without one.
func timed(cmd []string, files []string) (measure, string) {
	c := exec.Command(cmd[0], append(cmd[1:], files...)...)
	var out bytes.Buffer
	c.Stdout = &out
	start := time.Now()
	_ = c.Run()
	m := measure{wall: ms(time.Since(start))}
	if c.ProcessState != nil {
		m.cpu = ms(c.ProcessState.UserTime() + c.ProcessState.SystemTime())
	}
	return m, out.String()
}

// ZXingReader -1 prints a line a file: "NAME FORMAT "TEXT"" or "NAME None".
var zxingLine = regexp.MustCompile(`(?m)^(\S+) \S+ "(.*)"$`)

func parseZXing(out string) map[string]string {
	read := map[string]string{}
	for _, m := range zxingLine.FindAllStringSubmatch(out, -1) {
		if _, seen := read[filepath.Base(m[1])]; !seen {
			read[filepath.Base(m[1])] = m[2]
		}
	}
	return read
}

// zbarimg --xml wraps each file's symbols in <source href='NAME'>.
var (
	zbarSource = regexp.MustCompile(`<source href='([^']*)'>`)
	zbarData   = regexp.MustCompile(`<data><!\[CDATA\[(.*?)\]\]></data>`)
)

func parseZbar(out string) map[string]string {
	read := map[string]string{}
	for _, part := range strings.Split(out, "</source>") {
		src := zbarSource.FindStringSubmatch(part)
		data := zbarData.FindStringSubmatch(part)
		if src != nil && data != nil {
			read[filepath.Base(src[1])] = data[1]
		}
	}
	return read
}

// report prints the tables and reports whether ours (the first outcome)
// read at least the union of the peers and nothing from frames without a
// code.
func report(w *os.File, frames []scantest.CorpusFrame, results []outcome) bool {
	codes := 0
	for _, f := range frames {
		if f.Symbology != "" {
			codes++
		}
	}
	type tally struct{ read, wrong, falseReads int }
	count := func(o outcome) (t tally) {
		for i, f := range frames {
			switch got := o.texts[i]; {
			case f.Symbology == "" && got != "":
				t.falseReads++
			case f.Symbology != "" && got == f.Text:
				t.read++
			case f.Symbology != "" && got != "":
				t.wrong++
			}
		}
		return t
	}
	fmt.Fprintf(w, "%d frames of %dx%d (%d with a code, %d without); cpu and wall ms a frame (peers: less process start-up)\n",
		len(frames), scantest.FrameWidth, scantest.FrameHeight, codes, len(frames)-codes)
	fmt.Fprintf(w, "%-14s %9s %6s %12s %13s %14s %16s\n", "decoder", "read", "wrong", "false reads", "cpu ms/frame", "wall ms/frame", "median ms/frame")
	for _, o := range results {
		if o.missing {
			fmt.Fprintf(w, "%-14s not installed\n", o.name)
			continue
		}
		t := count(o)
		median := "-"
		if o.perFrame != nil {
			s := slices.Clone(o.perFrame)
			slices.Sort(s)
			median = fmt.Sprintf("%.3f", s[len(s)/2])
		}
		fmt.Fprintf(w, "%-14s %5d/%-3d %6d %12d %13.3f %14.3f %16s\n", o.name, t.read, codes, t.wrong, t.falseReads, o.cpu, o.wall, median)
	}

	ourRes := results[0]
	union, missed := 0, []string{}
	for i, f := range frames {
		if f.Symbology == "" {
			continue
		}
		byPeer := false
		for _, o := range results[2:] {
			byPeer = byPeer || (!o.missing && o.texts[i] == f.Text)
		}
		if byPeer {
			union++
			if ourRes.texts[i] != f.Text {
				missed = append(missed, f.Name)
			}
		}
	}
	ourTally := count(ourRes)
	ok := ourTally.read >= union && ourTally.falseReads == 0 && ourTally.wrong == 0
	verdict := "met"
	if !ok {
		verdict = "MISSED"
	}
	fmt.Fprintf(w, "\nunion of the peers: %d/%d; ours %d/%d with %d false and %d wrong reads: target (ours >= union, no false read) %s\n",
		union, codes, ourTally.read, codes, ourTally.falseReads, ourTally.wrong, verdict)
	if len(missed) > 0 {
		fmt.Fprintf(w, "read by a peer, not by ours: %s\n", strings.Join(missed, " "))
	}

	fmt.Fprintf(w, "\nreads by kind (frames without a code: how many were read, which must be 0)\n%-12s %6s", "kind", "frames")
	for _, o := range results {
		fmt.Fprintf(w, " %14s", o.name)
	}
	fmt.Fprintln(w)
	var kinds []string
	for _, f := range frames {
		if !slices.Contains(kinds, f.Kind) {
			kinds = append(kinds, f.Kind)
		}
	}
	for _, k := range kinds {
		n := 0
		reads := make([]int, len(results))
		for i, f := range frames {
			if f.Kind != k {
				continue
			}
			n++
			for j, o := range results {
				if f.Symbology == "" && o.texts[i] != "" || f.Symbology != "" && o.texts[i] == f.Text {
					reads[j]++
				}
			}
		}
		fmt.Fprintf(w, "%-12s %6d", k, n)
		for j, o := range results {
			if o.missing {
				fmt.Fprintf(w, " %14s", "-")
				continue
			}
			fmt.Fprintf(w, " %14d", reads[j])
		}
		fmt.Fprintln(w)
	}
	return ok
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// cpuTime is this process's user+system time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		log.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
