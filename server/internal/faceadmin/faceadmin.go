// Package faceadmin is punchd's client of the face services' admin API
// (facematchd's POST /api/v1/enroll, GET and DELETE
// /api/v1/employees/{id}): the console manages enrolments through punchd,
// which decides who may, and holds the admin token the sites' face
// services share, so no browser ever holds a face service credential.
package faceadmin

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"punchclock/app/wire"
	"punchclock/server/internal/facematch"
)

// Client calls a face service's admin API with Token.
type Client struct {
	// Token is the face services' -admin-token.
	Token string
	// HTTP is the client used (nil: one with Timeout).
	HTTP *http.Client
}

// Timeout bounds a call: dlib takes up to a quarter second a photo, and
// the store's LAN may be slow.
const Timeout = 30 * time.Second

// ErrUnreachable is a face service that did not answer, or refused
// punchd's token: nothing the caller can fix.
var ErrUnreachable = errors.New("faceadmin: the face service is unreachable or refuses punchd's admin token")

// Error is a face service's refusal of a request (invalid, not found...).
type Error struct {
	Code    wire.Code
	Message string
	// Photos, on a refused enrolment, is the verdict on every photo.
	Photos []facematch.PhotoCheck
}

func (e *Error) Error() string { return fmt.Sprintf("face service: %s: %s", e.Code, e.Message) }

// Employee returns what the face service at base holds about employee
// (an Error with wire.CodeNotFound when nothing).
func (c *Client) Employee(ctx context.Context, base, employee string) (facematch.Employee, error) {
	var out facematch.Employee
	err := c.do(ctx, http.MethodGet, base, "/api/v1/employees/"+url.PathEscape(employee), nil, &out)
	return out, err
}

// Enroll is facematchd's POST /api/v1/enroll (with dry_run, only the
// photos' verdicts, in EnrollResult.Photos).
func (c *Client) Enroll(ctx context.Context, base string, req facematch.EnrollRequest, dryRun bool) (facematch.EnrollResult, error) {
	body := map[string]any{"employee_id": req.EmployeeID, "site_id": req.SiteID, "photos": req.Photos,
		"consent": map[string]string{"by": req.ConsentBy, "purpose": req.Purpose}}
	path := "/api/v1/enroll"
	if dryRun {
		path += "?dry_run=true"
	}
	var out facematch.EnrollResult
	err := c.do(ctx, http.MethodPost, base, path, body, &out)
	return out, err
}

// Delete is facematchd's DELETE /api/v1/employees/{id}.
func (c *Client) Delete(ctx context.Context, base, employee string) (facematch.DeleteResult, error) {
	var out facematch.DeleteResult
	err := c.do(ctx, http.MethodDelete, base, "/api/v1/employees/"+url.PathEscape(employee), nil, &out)
	return out, err
}

func (c *Client) do(ctx context.Context, method, base, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("faceadmin: %w", err)
		}
		body = bytes.NewReader(b)
	}
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(base, "/")+path, body)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrUnreachable, err)
	}
	req.Header.Set("Authorization", "Bearer "+c.Token)
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrUnreachable, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("%w: %v", ErrUnreachable, err)
	}
	if resp.StatusCode/100 == 2 {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("%w: its answer: %v", ErrUnreachable, err)
		}
		return nil
	}
	var e struct {
		wire.ErrorBody
		Photos []facematch.PhotoCheck `json:"photos"`
	}
	if json.Unmarshal(data, &e) != nil || e.Error.Code == "" {
		return fmt.Errorf("%w: %s", ErrUnreachable, resp.Status)
	}
	switch e.Error.Code {
	case wire.CodeUnauthorized, wire.CodeForbidden, wire.CodeInternal:
		return fmt.Errorf("%w: %s %s", ErrUnreachable, e.Error.Code, e.Error.Message)
	}
	return &Error{Code: e.Error.Code, Message: e.Error.Message, Photos: e.Photos}
}
