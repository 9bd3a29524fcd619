// Package proxytest runs Debian's haproxy in front of several punchd
// instances, as a deployment on one PostgreSQL database runs it: round
// robin, health checks on /api/v1/health, a request refused at connect
// sent to another instance, X-Forwarded-For added. Its configuration is
// written into the test's temporary directory. Each answer names the
// instance that served it in the InstanceHeader header.
//
// haproxy is installed by `make test-deps`; a machine without it fails
// the tests that use it with a message that says how to install it.
package proxytest

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// InstanceHeader names, in each answer through the proxy, the backend
// that served it ("p0", "p1", … in the order given to Start).
const InstanceHeader = "X-Punchd-Instance"

// Proxy is a running haproxy.
type Proxy struct {
	// URL is the proxy's base URL (http://127.0.0.1:port).
	URL string
	// Config is the configuration file it runs with.
	Config string

	cmd  *exec.Cmd
	out  *syncBuffer
	done chan struct{}
}

// Binary returns the path of haproxy, or an error that says how to
// install it.
func Binary() (string, error) {
	if p, err := exec.LookPath("haproxy"); err == nil {
		return p, nil
	}
	for _, p := range []string{"/usr/sbin/haproxy", "/usr/local/sbin/haproxy"} {
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("proxytest: haproxy is not installed (make test-deps, or sudo apt-get install -y haproxy)")
}

// Config returns a haproxy configuration that listens on listen and
// balances over backends (host:port each). The README's example is this
// configuration.
func Config(listen string, backends []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `global
    maxconn 4096

defaults
    mode http
    timeout connect 2s
    timeout client 65s
    timeout server 65s
    timeout http-request 15s
    # X-Forwarded-For: punchd -trust-proxy takes the client's address from it.
    option forwardfor
    # A request refused at connect (an instance down) goes to another.
    retries 3
    option redispatch 1

frontend punchclock
    bind %s
    default_backend punchd

backend punchd
    balance roundrobin
    option httpchk GET /api/v1/health
    http-check expect status 200
    http-response set-header %s %%[srv_name]
`, listen, InstanceHeader)
	for i, be := range backends {
		fmt.Fprintf(&b, "    server p%d %s check inter 250ms fall 1 rise 1\n", i, be)
	}
	return b.String()
}

// Start runs haproxy in front of backends until the test ends, and
// returns once it answers a health check through a backend. At least one
// backend must be up by then.
func Start(t testing.TB, backends []string) *Proxy {
	t.Helper()
	bin, err := Binary()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var lastErr error
	for range 3 { // the free port found may be taken before haproxy binds it
		port, err := FreePort()
		if err != nil {
			t.Fatal(err)
		}
		p := &Proxy{URL: "http://127.0.0.1:" + port, Config: filepath.Join(dir, "haproxy.cfg"), out: &syncBuffer{}, done: make(chan struct{})}
		if err := os.WriteFile(p.Config, []byte(Config("127.0.0.1:"+port, backends)), 0o600); err != nil {
			t.Fatal(err)
		}
		// -db: foreground, no daemon; -W: master-worker, so SIGTERM
		// ends the whole process tree.
		p.cmd = exec.Command(bin, "-db", "-W", "-f", p.Config)
		p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
		if err := p.cmd.Start(); err != nil {
			t.Fatalf("proxytest: start haproxy: %v", err)
		}
		go func() { p.cmd.Wait(); close(p.done) }()
		if lastErr = p.waitReady(30 * time.Second); lastErr == nil {
			t.Cleanup(p.Stop)
			return p
		}
		p.Stop()
	}
	t.Fatalf("proxytest: %v", lastErr)
	return nil
}

// waitReady polls the health endpoint through the proxy until it answers
// 200, haproxy exits, or the deadline passes.
func (p *Proxy) waitReady(within time.Duration) error {
	deadline := time.Now().Add(within)
	client := &http.Client{Timeout: 2 * time.Second}
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		resp, err := client.Get(p.URL + "/api/v1/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return nil
			}
		}
		select {
		case <-p.done:
			return fmt.Errorf("haproxy exited: %s", p.out.String())
		case <-tick.C:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("haproxy does not answer a health check within %v (last: %v)\n%s", within, err, p.out.String())
		}
	}
}

// Stop ends haproxy and waits for it.
func (p *Proxy) Stop() {
	select {
	case <-p.done:
		return
	default:
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		p.cmd.Process.Kill()
		<-p.done
	}
}

// Output is what haproxy printed.
func (p *Proxy) Output() string { return p.out.String() }

// Instance is the backend that served resp ("" if the proxy answered
// itself, as with a 503 when no backend is up).
func Instance(resp *http.Response) string { return resp.Header.Get(InstanceHeader) }

// WaitUp polls url (a backend's base URL) until its health endpoint
// answers 200, or fails after within.
func WaitUp(ctx context.Context, url string, within time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, within)
	defer cancel()
	client := &http.Client{Timeout: time.Second}
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		req, _ := http.NewRequestWithContext(ctx, "GET", url+"/api/v1/health", nil)
		resp, err := client.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("proxytest: %s does not answer its health check within %v (last: %v)", url, within, err)
		case <-tick.C:
		}
	}
}

// PortsEnv narrows the ports FreePort picks from ("19200-19399").
const PortsEnv = "PUNCHCLOCK_TEST_PORTS"

// FreePort returns a TCP port free on 127.0.0.1 a moment ago. It is
// picked at random below the kernel's ephemeral range (20000-29999 unless
// PortsEnv says otherwise), never inside it: outgoing connections take
// their local ports from that range, and one could take the port of an
// instance killed and not yet started again.
func FreePort() (string, error) {
	lo, hi := 20000, 29999
	if v := os.Getenv(PortsEnv); v != "" {
		a, b, ok := strings.Cut(v, "-")
		var err1, err2 error
		lo, err1 = strconv.Atoi(a)
		hi, err2 = strconv.Atoi(b)
		if !ok || err1 != nil || err2 != nil || lo < 1 || hi > 65535 || lo > hi {
			return "", fmt.Errorf("proxytest: %s=%q: want a range such as 19200-19399", PortsEnv, v)
		}
	}
	for range 200 {
		port := strconv.Itoa(lo + rand.IntN(hi-lo+1))
		ln, err := net.Listen("tcp", "127.0.0.1:"+port)
		if err == nil {
			ln.Close()
			return port, nil
		}
	}
	return "", fmt.Errorf("proxytest: no free port in %d-%d", lo, hi)
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
