package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"

	"punchclock/app/wire"
	"punchclock/server/internal/store"
)

// TestWriteErrorCodes: the one place errors become answers gives store
// sentinels their codes even when a caller forgot to, and leaves other
// errors as they are.
func TestWriteErrorCodes(t *testing.T) {
	s := &Server{Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	tests := []struct {
		name   string
		err    error
		status int
		code   wire.Code
	}{
		{"bad text from the store", fmt.Errorf("sqlstore: employee: %w", store.ErrInvalid), 400, wire.CodeInvalid},
		{"bad text with its field", fmt.Errorf("sqlstore: site: %w (%w)", store.ErrInvalid, wire.Errorf(wire.CodeInvalid, "id contains a NUL character")), 400, wire.CodeInvalid},
		{"not found", fmt.Errorf("x: %w", store.ErrNotFound), 404, wire.CodeNotFound},
		{"conflict", fmt.Errorf("x: %w", store.ErrConflict), 409, wire.CodeConflict},
		{"coded already", &wire.Error{Code: wire.CodeForbidden, Message: "no", Err: store.ErrNotFound}, 403, wire.CodeForbidden},
		{"a bug", errors.New("boom"), 500, wire.CodeInternal},
	}
	for _, tt := range tests {
		rec := httptest.NewRecorder()
		s.writeError(rec, httptest.NewRequest("GET", "/api/v1/x", nil), tt.err)
		var body wire.ErrorBody
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if rec.Code != tt.status || body.Error.Code != tt.code || body.Error.Message == "" {
			t.Errorf("%s: %d %+v, want %d %s", tt.name, rec.Code, body, tt.status, tt.code)
		}
	}
}
