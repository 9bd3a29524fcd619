//go:build js && wasm

package fetch

import (
	"context"
	"io"
	"net/http"
	"strings"
	"syscall/js"
	"testing"
)

// The test runs in a browser page (wasmbrowsertest); it fetches that
// page's own origin, the only server it can count on.
func origin() string { return js.Global().Get("location").Get("origin").String() }

func TestGet(t *testing.T) {
	req, _ := http.NewRequest("GET", origin()+"/", nil)
	req.Header.Set("X-Test", "1")
	resp, err := Client{}.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || len(body) == 0 || !strings.HasPrefix(resp.Status, "200") || resp.Header.Get("Content-Type") == "" {
		t.Errorf("status %d %q, %d bytes, content type %q", resp.StatusCode, resp.Status, len(body), resp.Header.Get("Content-Type"))
	}
}

func TestNetworkError(t *testing.T) {
	// Port 9 (discard) on the loopback: nothing listens, the fetch fails.
	req, _ := http.NewRequest("POST", "http://127.0.0.1:9/x", strings.NewReader("{}"))
	if _, err := (Client{}).Do(req); err == nil {
		t.Error("fetch to a closed port: no error")
	}
}

func TestCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", origin()+"/", nil)
	if _, err := (Client{}).Do(req); err != context.Canceled {
		t.Errorf("cancelled request: %v", err)
	}
}
