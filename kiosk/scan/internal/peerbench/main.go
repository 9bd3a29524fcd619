//go:build linux

// Command peerbench compares the badge decoder with the decoders people
// already trust: zbarimg (Debian zbar-tools) and ZXingReader (Debian
// zxing-cpp-tools, the C++ port of ZXing), on the same 640x480 camera frames.
//
//	go run ./kiosk/scan/internal/peerbench [-n 30] [-keep DIR]
//
// It renders QR, Code 128 and empty frames with scantest, writes them as
// binary PGM (8-bit gray) files, and prints milliseconds a frame and how
// many frames each decoder read. PGM rather than PNG because loading it is
// a plain read for every tool: with PNG the figures mostly measure zlib. The
// peers are separate processes, so their per-frame time is taken as
// (time for n files - time for 1 file) / (n-1), which removes process
// start-up and model set-up. Our decoder is timed in process on the same
// gray bytes (the like-for-like baseline of the ratios) and on the RGBA
// frame, the kiosk's path with the gray conversion. Times are CPU time
// (user+system: getrusage for us, the child's rusage for the peers), which
// a shared, loaded machine disturbs far less than wall time; wall time is
// shown too. Each figure is the best of -reps runs.
//
// Linux only: it runs Debian's tools and reads rusage.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/draw"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"punchclock/kiosk/scan"
	"punchclock/kiosk/scan/scantest"
)

type kind struct {
	name   string
	want   string
	render func(seed uint64) (*image.RGBA, error)
}

func main() {
	n := flag.Int("n", 30, "frames per kind")
	reps := flag.Int("reps", 3, "repetitions; the best is reported")
	keep := flag.String("keep", "", "write the PGM frames to this directory and keep them")
	flag.Parse()
	log.SetFlags(0)
	if err := run(*n, *reps, *keep); err != nil {
		log.Fatal(err)
	}
}

const badge = "EMP-000123"

func run(n, reps int, keep string) error {
	if n < 2 {
		return errors.New("peerbench: -n must be at least 2")
	}
	dir := keep
	if dir == "" {
		tmp, err := os.MkdirTemp("", "peerbench")
		if err != nil {
			return fmt.Errorf("peerbench: %w", err)
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("peerbench: %w", err)
	}

	kinds := []kind{
		{"qr", badge, func(seed uint64) (*image.RGBA, error) { return scantest.RenderQR(badge, scantest.Camera(seed)) }},
		{"code128", badge, func(seed uint64) (*image.RGBA, error) { return scantest.RenderCode128(badge, scantest.Camera(seed)) }},
		{"empty", "", func(seed uint64) (*image.RGBA, error) { return scantest.Empty(scantest.Camera(seed)), nil }},
	}

	type row struct {
		decoder string
		kind    string
		cpu     float64 // ms a frame
		wall    float64 // ms a frame
		read    int
	}
	var rows []row
	for _, k := range kinds {
		frames := make([]*image.RGBA, n)
		grays := make([]*image.Gray, n)
		files := make([]string, n)
		for i := range frames {
			img, err := k.render(uint64(1000*len(k.name) + i))
			if err != nil {
				return err
			}
			frames[i] = img
			grays[i] = image.NewGray(img.Rect)
			draw.Draw(grays[i], img.Rect, img, image.Point{}, draw.Src)
			files[i] = filepath.Join(dir, fmt.Sprintf("%s-%03d.pgm", k.name, i))
			if err := writePGM(files[i], grays[i]); err != nil {
				return err
			}
		}

		m := best(reps, func() measure { return inProcess(func() int { return nativeGray(grays, k.want) }) })
		rows = append(rows, row{"scan (gray)", k.name, m.cpu / float64(n), m.wall / float64(n), m.read})
		m = best(reps, func() measure { return inProcess(func() int { return native(frames, k.want) }) })
		rows = append(rows, row{"scan (RGBA)", k.name, m.cpu / float64(n), m.wall / float64(n), m.read})

		for _, p := range []struct {
			name string
			cmd  []string
		}{
			{"zbarimg", []string{"zbarimg", "-q", "--raw"}},
			{"ZXingReader", []string{"ZXingReader", "-1"}},
			{"ZXingReader -fast", []string{"ZXingReader", "-1", "-fast", "-norotate", "-noscale"}},
		} {
			if _, err := exec.LookPath(p.cmd[0]); err != nil {
				fmt.Fprintf(os.Stderr, "skipping %s: not installed (apt-get install -y zbar-tools zxing-cpp-tools)\n", p.cmd[0])
				continue
			}
			one := best(reps, func() measure { return peer(p.cmd, files[:1], k.want) })
			all := best(reps, func() measure { return peer(p.cmd, files, k.want) })
			rows = append(rows, row{p.name, k.name, (all.cpu - one.cpu) / float64(n-1), (all.wall - one.wall) / float64(n-1), all.read})
		}
	}

	base := map[string]float64{}
	for _, r := range rows {
		if r.decoder == "scan (gray)" {
			base[r.kind] = r.cpu
		}
	}
	fmt.Printf("%d frames of %dx%d per kind, best of %d; ratio = CPU time / CPU time of scan (gray)\n",
		n, scantest.FrameWidth, scantest.FrameHeight, reps)
	fmt.Printf("%-20s %-8s %12s %8s %13s %7s\n", "decoder", "frames", "cpu ms/frame", "ratio", "wall ms/frame", "read")
	for _, r := range rows {
		fmt.Printf("%-20s %-8s %12.3f %8.2f %13.3f %4d/%d\n", r.decoder, r.kind, r.cpu, r.cpu/base[r.kind], r.wall, r.read, n)
	}
	return nil
}

// measure is one timed run: milliseconds of CPU and wall time, and how
// many frames were read.
type measure struct {
	cpu, wall float64
	read      int
}

// best runs f reps times and keeps the run with the least CPU time.
func best(reps int, f func() measure) measure {
	b := measure{cpu: 1e18}
	for range reps {
		if m := f(); m.cpu < b.cpu {
			b = m
		}
	}
	return b
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

// inProcess times f, which returns how many frames it read.
func inProcess(f func() int) measure {
	runtime.GC() // start each run with the same heap
	c0, w0 := cpuTime(), time.Now()
	read := f()
	return measure{cpu: ms(cpuTime() - c0), wall: ms(time.Since(w0)), read: read}
}

func native(frames []*image.RGBA, want string) int {
	d := scan.NewDecoder()
	read := 0
	for _, f := range frames {
		if r, err := d.DecodeRGBA(f.Pix, f.Rect.Dx(), f.Rect.Dy()); err == nil && r.Text == want {
			read++
		}
	}
	return read
}

func nativeGray(frames []*image.Gray, want string) int {
	d := scan.NewDecoder()
	read := 0
	for _, f := range frames {
		if r, err := d.DecodeGray(f.Pix, f.Rect.Dx(), f.Rect.Dy()); err == nil && r.Text == want {
			read++
		}
	}
	return read
}

// peer runs a command-line decoder over files and counts the output lines
// that carry the wanted text. Exit codes are ignored: zbarimg exits 4 when
// some file has no code, which is the point of the empty frames.
func peer(cmd []string, files []string, want string) measure {
	c := exec.Command(cmd[0], append(cmd[1:], files...)...)
	var out bytes.Buffer
	c.Stdout = &out
	start := time.Now()
	_ = c.Run()
	m := measure{wall: ms(time.Since(start))}
	if c.ProcessState != nil {
		m.cpu = ms(c.ProcessState.UserTime() + c.ProcessState.SystemTime())
	}
	if want != "" {
		m.read = strings.Count(out.String(), want)
	}
	return m
}

func writePGM(name string, img *image.Gray) error {
	var b bytes.Buffer
	fmt.Fprintf(&b, "P5\n%d %d\n255\n", img.Rect.Dx(), img.Rect.Dy())
	b.Write(img.Pix)
	if err := os.WriteFile(name, b.Bytes(), 0o644); err != nil {
		return fmt.Errorf("peerbench: %w", err)
	}
	return nil
}
