package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"punchclock/server/internal/demo"
	"punchclock/server/internal/demo/demotest"
	"punchclock/server/internal/httpapi"
	"punchclock/server/internal/postgres/pgtest"
	"punchclock/server/internal/punchd"
)

// asPunchd makes this test binary run punchd's main with its arguments.
const asPunchd = "PUNCHCLOCK_TEST_AS_PUNCHD"

// TestMain lets the test binary stand in for punchd (see asPunchd), so
// TestDemoSeedKilled can start punchd, kill it and start it again
// without building it.
func TestMain(m *testing.M) {
	if os.Getenv(asPunchd) == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestDemoSeedKilled kills punchd with SIGKILL inside its first
// `serve -demo` and starts it again: the second start finishes the demo,
// whole and each part once, and prints the admin token and a code to
// enroll a tablet.
//
// The first punchd stops at a chosen point of the seed, without a hook in
// punchd: the test makes the data directory file the seed reads at that
// point a named pipe. The seed's read blocks on it, and the test's open of
// the pipe for writing returns once the seed has opened it: punchd is
// then inside the seed, and stays there until killed.
func TestDemoSeedKilled(t *testing.T) {
	for _, tt := range []struct {
		name, pipe string
		postgres   bool
		files      string // the demo files the kill leaves
	}{
		// The organisation is stored; the admin token is not made yet.
		{"sqlite/before the admin token", demo.AdminTokenFile, false, ""},
		// The admin token is made; the kiosk key is not.
		{"sqlite/before the kiosk key", demo.KioskKeyFile, false, demo.AdminTokenFile},
		// The kiosk key is written; the kiosk is not enrolled.
		{"sqlite/before the enrollment", demo.KioskIDFile, false, demo.AdminTokenFile + " " + demo.KioskKeyFile},
		{"postgres/before the admin token", demo.AdminTokenFile, true, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			data := t.TempDir()
			db := filepath.Join(data, "punchclock.db")
			if tt.postgres {
				db = pgtest.NewDB(t)
			}
			args := []string{"-db", db, "serve", "-demo", "-addr", "127.0.0.1:0", "-data", data, "-web", t.TempDir()}
			pipe := filepath.Join(data, tt.pipe)
			if err := syscall.Mkfifo(pipe, 0o600); err != nil {
				t.Fatal(err)
			}

			began := time.Now()
			first := startPunchd(t, args)
			opened := make(chan *os.File, 1)
			go func() {
				f, err := os.OpenFile(pipe, os.O_WRONLY, 0)
				if err != nil {
					t.Error(err)
				}
				opened <- f
			}()
			select {
			case f := <-opened:
				defer f.Close()
			case <-first.done:
				t.Fatalf("punchd ended before its seed read %s:\n%s", tt.pipe, first.output())
			case <-time.After(2 * time.Minute):
				first.kill()
				t.Fatalf("punchd did not reach %s in 2 minutes:\n%s", tt.pipe, first.output())
			}
			first.kill()
			killed := time.Now()
			if out := first.output(); strings.Contains(out, "serving on") {
				t.Fatalf("punchd was serving before the kill, not seeding:\n%s", out)
			}
			if err := os.Remove(pipe); err != nil {
				t.Fatal(err)
			}
			half := halfSeeded(t, db)
			var files []string
			for _, f := range []string{demo.AdminTokenFile, demo.KioskKeyFile, demo.KioskIDFile} {
				if _, err := os.Stat(filepath.Join(data, f)); err == nil {
					files = append(files, f)
				}
			}
			if got := strings.Join(files, " "); got != tt.files {
				t.Errorf("the kill left the files %q, want %q", got, tt.files)
			}
			t.Logf("killed inside the seed; it left %s, files %q", half, files)

			second := startPunchd(t, args)
			welcome := second.welcome(t)
			token := regexp.MustCompile(`admin token\s+(pc_admin_\w+)`).FindStringSubmatch(welcome)
			code := regexp.MustCompile(`enroll a tablet with code ([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})`).FindStringSubmatch(welcome)
			base := regexp.MustCompile(`serving on (http://\S+)`).FindStringSubmatch(welcome)
			if token == nil || code == nil || base == nil || !strings.Contains(welcome, "earlier start left incomplete") {
				t.Fatalf("the second start printed no admin token, enrollment code or note on the finished seed:\n%s", welcome)
			}
			req, _ := http.NewRequest("GET", base[1]+"/api/v1/employees", nil)
			req.Header.Set("Authorization", "Bearer "+token[1])
			if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
				t.Errorf("the printed admin token does not work: %v %v", resp, err)
			} else {
				resp.Body.Close()
			}
			second.stop(t)

			st, err := punchd.OpenStore(context.Background(), db)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			// punchd runs on the real clock: the week is laid out before
			// the first start's "now", whatever the hour and zone.
			if anchor := demotest.CheckWhole(t, st, data, token[1], httpapi.HashToken); anchor.Before(began.Truncate(time.Millisecond)) || anchor.After(killed) {
				t.Errorf("the demo week is anchored at %s, not during the first start (%s to %s)", anchor, began, killed)
			}
		})
	}
}

// halfSeeded checks that the killed seed left an unfinished demo with no
// kiosk, and describes it.
func halfSeeded(t *testing.T, db string) string {
	t.Helper()
	ctx := context.Background()
	st := openStore(t, db)
	defer st.Close()
	m, err := st.DemoSeed(ctx)
	if err != nil || !m.Done.IsZero() {
		t.Errorf("marker %+v %v, want an unfinished seed", m, err)
	}
	ch, err := st.Changes(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	devs, err := st.Devices(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(devs) != 0 {
		t.Errorf("%d devices before the enrollment", len(devs))
	}
	return fmt.Sprintf("%d sites, %d departments, %d employees, %d rule sets, no kiosk", len(ch.Sites), len(ch.Departments), len(ch.Employees), len(ch.RulesChanged))
}

// punchdProc is punchd running as a child process.
type punchdProc struct {
	cmd   *exec.Cmd
	lines chan string   // its standard output, closed at its end
	done  chan struct{} // closed once it has exited
	mu    sync.Mutex
	out   []string
	err   bytes.Buffer // standard error, read once done
}

// chaosBin, when set, is a punchd binary the tests start instead of this
// test binary (make chaos passes bin/punchd).
const chaosBin = "PUNCHCLOCK_CHAOS_BIN"

// punchdCommand is punchd with args: the binary chaosBin names, or this
// test binary standing in for it.
func punchdCommand(args []string) *exec.Cmd {
	if bin := os.Getenv(chaosBin); bin != "" {
		return exec.Command(bin, args...)
	}
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), asPunchd+"=1")
	return cmd
}

// startPunchd starts punchd with args; it is killed when the test ends.
func startPunchd(t testing.TB, args []string) *punchdProc {
	t.Helper()
	p := &punchdProc{cmd: punchdCommand(args), lines: make(chan string, 100), done: make(chan struct{})}
	p.cmd.Stderr = &p.err
	stdout, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			p.mu.Lock()
			p.out = append(p.out, sc.Text())
			p.mu.Unlock()
			select {
			case p.lines <- sc.Text():
			default: // nobody is waiting for lines any more
			}
		}
		close(p.lines)
		p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(p.kill)
	return p
}

// kill sends SIGKILL and waits for the end.
func (p *punchdProc) kill() {
	p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// stop ends punchd as Ctrl-C does; it must exit cleanly.
func (p *punchdProc) stop(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	<-p.done
	if !p.cmd.ProcessState.Success() {
		t.Errorf("punchd did not exit cleanly: %v\n%s", p.cmd.ProcessState, p.output())
	}
}

// welcome returns what punchd prints once it serves: the lines from
// "serving on" to the blank line that ends them.
func (p *punchdProc) welcome(t testing.TB) string {
	t.Helper()
	var lines []string
	for line := range p.lines {
		if strings.Contains(line, "serving on") || len(lines) > 0 {
			if line == "" {
				return strings.Join(lines, "\n")
			}
			lines = append(lines, line)
		}
	}
	<-p.done
	t.Fatalf("punchd ended before it served:\n%s", p.output())
	return ""
}

// output is what punchd printed so far, and its standard error once it
// has ended.
func (p *punchdProc) output() string {
	p.mu.Lock()
	out := strings.Join(p.out, "\n")
	p.mu.Unlock()
	select {
	case <-p.done:
		out += "\n" + p.err.String()
	default:
	}
	return out
}
