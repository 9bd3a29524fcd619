package console

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"punchclock/app/attendance"
)

// Doer sends a request. The console's main gives the browser's fetch
// (kiosk/fetch): net/http's Transport would add about 1 MB to the
// download, and app/ imports nothing of ours outside app/.
type Doer interface {
	Do(*http.Request) (*http.Response, error)
}

// client is the Doer SetClient gave.
var client Doer

// SetClient sets how the console calls punchd; call it before the app
// runs. Without one (punchd prerendering the page) nothing is called.
func SetClient(c Doer) { client = c }

// apiError is a refusal from punchd, by its stable code; the console says
// it in the viewer's language from the code and keeps the server's
// message for the details.
type apiError struct {
	Status  int
	Code    string
	Message string
	// Fields are an invalid answer's problems by field and code.
	Fields []attendance.FieldProblem
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Message) }

// errOffline is a request that got no answer.
var errOffline = errors.New("console: punchd unreachable")

// api calls punchd's API on the page's own origin, with the session
// cookie, and the CSRF token on every change.
type api struct {
	client Doer
	csrf   string
}

// call sends method path with in as JSON (nil: no body) and decodes the
// answer into out (nil: ignored). A 4xx or 5xx answer is an *apiError.
func (a *api) call(ctx context.Context, method, path string, in, out any) error {
	if in == nil {
		return a.send(ctx, method, path, "", nil, out)
	}
	b, err := json.Marshal(in)
	if err != nil {
		return err
	}
	return a.send(ctx, method, path, "application/json", b, out)
}

// send is call with a body of its own type (a spreadsheet, say).
func (a *api) send(ctx context.Context, method, path, contentType string, data []byte, out any) error {
	var body io.Reader
	if data != nil {
		body = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if method != http.MethodGet && a.csrf != "" {
		req.Header.Set("X-CSRF-Token", a.csrf)
	}
	if a.client == nil {
		return fmt.Errorf("%w: no client (console.SetClient)", errOffline)
	}
	resp, err := a.client.Do(req)
	if err != nil {
		return fmt.Errorf("%w: %w", errOffline, err)
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return fmt.Errorf("%w: %w", errOffline, err)
	}
	if resp.StatusCode >= 400 {
		var eb struct {
			Error struct {
				Code    string                    `json:"code"`
				Message string                    `json:"message"`
				Fields  []attendance.FieldProblem `json:"fields"`
			} `json:"error"`
		}
		json.Unmarshal(answer, &eb)
		return &apiError{Status: resp.StatusCode, Code: eb.Error.Code, Message: eb.Error.Message, Fields: eb.Error.Fields}
	}
	if out == nil || resp.StatusCode == http.StatusNoContent {
		return nil
	}
	return json.Unmarshal(answer, out)
}

// code is err's refusal code, "offline" for no answer, "" for nil.
func code(err error) string {
	var ae *apiError
	switch {
	case err == nil:
		return ""
	case errors.As(err, &ae) && ae.Code != "":
		return ae.Code
	case errors.As(err, &ae):
		return fmt.Sprintf("http%d", ae.Status)
	case errors.Is(err, errOffline):
		return "offline"
	}
	return "failed"
}

// detail is the server's own message of a refusal, for the details an
// administrator may want (a title on the message): never the message
// itself.
func detail(err error) string {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae.Message
	}
	if err != nil {
		return err.Error()
	}
	return ""
}

// fieldsOf are an invalid answer's problems by field (nil for any other
// error): field -> code.
func fieldsOf(err error) map[string]string {
	var ae *apiError
	if !errors.As(err, &ae) || len(ae.Fields) == 0 {
		return nil
	}
	out := map[string]string{}
	for _, f := range ae.Fields {
		if _, ok := out[f.Field]; !ok {
			out[f.Field] = f.Code
		}
	}
	return out
}
