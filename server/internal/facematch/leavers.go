package facematch

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"punchclock/app/attendance"
)

// Enrolled lists the employees with descriptors at any site, sorted.
func (s *Service) Enrolled() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	seen := map[string]bool{}
	for _, g := range s.galleries {
		for e := range g.descs {
			seen[e] = true
		}
	}
	out := make([]string, 0, len(seen))
	for e := range seen {
		out = append(out, e)
	}
	slices.Sort(out)
	return out
}

// LeaverSync deletes the face data of employees who have left, as punchd
// reports them (GET /api/v1/employees, active false or left: past their
// leaving date). The face service
// asks, rather than punchd telling it, because it runs on a store's LAN:
// it can reach punchd, while punchd may not reach it.
type LeaverSync struct {
	Service *Service
	// PunchdURL is punchd's base URL; Token a bearer token with the face
	// role (integrator and admin tokens work too).
	PunchdURL string
	Token     string
	Client    *http.Client
	Log       *slog.Logger
}

// Once fetches punchd's employees and deletes every enrolled leaver. It
// returns the ids it deleted; on any error from punchd it deletes nothing.
func (l *LeaverSync) Once(ctx context.Context) ([]string, error) {
	var list struct {
		Employees []struct {
			attendance.Employee
			// Left: past the leaving date by punchd's clock.
			Left bool `json:"left"`
		} `json:"employees"`
	}
	if err := getPunchd(ctx, l.Client, l.PunchdURL, l.Token, "/api/v1/employees", &list); err != nil {
		return nil, fmt.Errorf("facematch: leavers: %w", err)
	}
	left := map[string]bool{}
	for _, e := range list.Employees {
		if !e.Active || e.Left {
			left[e.ID] = true
		}
	}
	var deleted []string
	for _, id := range l.Service.Enrolled() {
		if !left[id] {
			continue
		}
		if _, err := l.Service.DeleteEmployee(ctx, id); err != nil {
			return deleted, fmt.Errorf("facematch: leavers: delete %s: %w", id, err)
		}
		deleted = append(deleted, id)
	}
	return deleted, nil
}

// Run calls Once now and then every interval until ctx ends, logging what
// it deleted and any error (punchd unreachable is retried next time).
func (l *LeaverSync) Run(ctx context.Context, every time.Duration) {
	repeat(ctx, every, func() {
		deleted, err := l.Once(ctx)
		if l.Log != nil {
			if err != nil {
				l.Log.Warn("leaver sync", "err", err)
			} else if len(deleted) > 0 {
				l.Log.Info("deleted the face data of employees who left", "employees", deleted)
			}
		}
	})
}

// repeat calls f now and then every interval until ctx ends.
func repeat(ctx context.Context, every time.Duration, f func()) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		f()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// punchdError is a punchd answer other than 200.
type punchdError struct {
	status int
	body   string
}

func (e *punchdError) Error() string {
	return fmt.Sprintf("punchd answered %d %s: %s", e.status, http.StatusText(e.status), e.body)
}

// getPunchd GETs path from punchd at base with a bearer token and decodes
// the JSON answer into out.
func getPunchd(ctx context.Context, client *http.Client, base, token, path string, out any) error {
	return callPunchd(ctx, client, http.MethodGet, base, token, path, nil, out)
}

// callPunchd sends a request to punchd at base with a bearer token (in,
// if not nil, as its JSON body) and decodes the JSON answer into out.
func callPunchd(ctx context.Context, client *http.Client, method, base, token, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(base, "/")+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
		return &punchdError{status: resp.StatusCode, body: strings.TrimSpace(string(body))}
	}
	return json.NewDecoder(io.LimitReader(resp.Body, 64<<20)).Decode(out)
}
