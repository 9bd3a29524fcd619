package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"punchclock/server/internal/browsertest"
)

// buildProduct builds punchd and the kiosk's app.wasm the way the Makefile
// does, into a temporary folder with a copy of web/.
func buildProduct(t *testing.T) (bin, web string) {
	t.Helper()
	dir := t.TempDir()
	bin = filepath.Join(dir, "punchd")
	web = filepath.Join(dir, "web")
	if err := os.CopyFS(web, os.DirFS("../../../web")); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(web, "app.wasm"))
	run := func(env []string, args ...string) {
		cmd := exec.Command("go", args...)
		cmd.Env = append(os.Environ(), env...)
		cmd.Dir = "../../.."
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go %v: %v\n%s", args, err, out)
		}
	}
	run(nil, "build", "-ldflags", "-X main.version=test-1", "-o", bin, "./server/cmd/punchd")
	run([]string{"GOOS=js", "GOARCH=wasm"}, "build", "-o", filepath.Join(web, "app.wasm"), "./wasm")
	return bin, web
}

// start runs punchd as `make run` does and returns its base URL once it
// has printed it.
func start(t *testing.T, bin string, args ...string) (string, *exec.Cmd) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	re := regexp.MustCompile(`serving on (http://\S+)`)
	sc := bufio.NewScanner(out)
	var printed []string
	for sc.Scan() {
		printed = append(printed, sc.Text())
		if m := re.FindStringSubmatch(sc.Text()); m != nil {
			go io.Copy(io.Discard, out)
			return m[1], cmd
		}
	}
	t.Fatalf("punchd exited before serving; it printed:\n%s", strings.Join(printed, "\n"))
	return "", nil
}

// TestMakeRun starts punchd with the demo as `make run` does, checks the
// API answers its OpenAPI document, loads the PWA shell in headless
// Chromium until the wasm app runs, and stops punchd gracefully.
func TestMakeRun(t *testing.T) {
	bin, web := buildProduct(t)
	data := t.TempDir()
	base, cmd := start(t, bin, "-db", filepath.Join(data, "punchclock.db"), "serve", "-demo", "-addr", "127.0.0.1:0", "-web", web)

	resp, err := http.Get(base + "/api/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		OpenAPI string         `json:"openapi"`
		Paths   map[string]any `json:"paths"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil || resp.StatusCode != 200 || !strings.HasPrefix(doc.OpenAPI, "3.") || doc.Paths["/api/v1/device/punches"] == nil {
		t.Fatalf("openapi.json: %d %v %+v", resp.StatusCode, err, doc.OpenAPI)
	}
	resp.Body.Close()

	// Every resource the service worker caches must be served from here:
	// one unreachable URL makes cache.addAll fail and the kiosk silently
	// stops working offline.
	resp, err = http.Get(base + "/app-worker.js")
	if err != nil {
		t.Fatal(err)
	}
	worker, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := regexp.MustCompile(`(?s)resourcesToCache\s*=\s*(\[.*?\]);`).FindSubmatch(worker)
	if m == nil {
		t.Fatalf("app-worker.js has no resourcesToCache:\n%s", worker)
	}
	var cached []string
	if err := json.Unmarshal(m[1], &cached); err != nil {
		t.Fatalf("resourcesToCache: %v: %s", err, m[1])
	}
	for _, u := range cached {
		if !strings.HasPrefix(u, "/") || strings.HasPrefix(u, "//") {
			t.Errorf("service worker caches a non-local resource %q", u)
		}
	}
	if !strings.Contains(string(worker), "test-1") {
		t.Errorf("app-worker.js does not carry the build version test-1")
	}

	ctx := browsertest.New(t, 2*time.Minute)
	var title, status string
	err = chromedp.Run(ctx,
		chromedp.Navigate(base+"/"),
		// The prerendered shell shows "--:--"; the wasm app replaces it
		// with the time once it runs.
		chromedp.Poll(`(() => { const c = document.getElementById("clock"); return c && /\d\d:\d\d:\d\d/.test(c.textContent); })()`, nil, chromedp.WithPollingTimeout(90*time.Second)),
		chromedp.Title(&title),
		chromedp.Text("#status", &status),
	)
	if err != nil {
		t.Fatalf("PWA shell did not come up in Chromium: %v", err)
	}
	if title != "punchclock" || !strings.Contains(status, "enrolled") {
		t.Errorf("page title %q, status %q", title, status)
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("punchd did not exit cleanly on SIGTERM: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Error("punchd did not stop within 30 s of SIGTERM")
	}
	// The demo credentials stay for the next start.
	if _, err := os.Stat(filepath.Join(data, "admin-token")); err != nil {
		t.Error(err)
	}
	_ = context.Background
}
