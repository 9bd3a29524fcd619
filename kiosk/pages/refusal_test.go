package pages

import (
	"errors"
	"fmt"
	"html"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"punchclock/app/attendance"
	"punchclock/app/wire"
	"punchclock/kiosk/outbox"
)

// TestMessagesEveryCode: every stable wire code has its own text in
// English and in Chinese (the Chinese one in Chinese), and a code this
// build does not know falls back to its class's text, in both languages.
func TestMessagesEveryCode(t *testing.T) {
	for _, code := range wire.Codes {
		key := "reject." + string(code)
		if got := refusalKey(code); got != key {
			t.Errorf("refusalKey(%q) = %q, want its own text %q", code, got, key)
		}
		en, zh := messages[English][key], messages[Chinese][key]
		if en == "" || zh == "" {
			t.Errorf("code %q: en %q, zh %q: both languages need a text", code, en, zh)
			continue
		}
		if !hasHan(zh) || hasHan(en) {
			t.Errorf("code %q: en %q, zh %q: each text in its own language", code, en, zh)
		}
	}
	for _, tt := range []struct {
		code wire.Code
		want string
	}{
		{"quota_exceeded", "reject.class.refused"}, // a newer server's code
		{"", "reject.class.refused"},
	} {
		if got := refusalKey(tt.code); got != tt.want {
			t.Errorf("refusalKey(%q) = %q, want %q", tt.code, got, tt.want)
		}
	}
	for _, class := range []string{"retry", "device", "refused"} {
		key := "reject.class." + class
		if !hasHan(messages[Chinese][key]) || messages[English][key] == "" {
			t.Errorf("class %q: en %q, zh %q", class, messages[English][key], messages[Chinese][key])
		}
	}
	if got, want := codeClass(wire.CodeTransient), "retry"; got != want {
		t.Errorf("codeClass(transient) = %q, want %q", got, want)
	}
}

// TestMessagesNoServerWords renders every place a server refusal reaches a
// screen (the phone's punch result and recent list, the kiosk's
// confirmation and status strip, the manager's rejected list), for every
// code and one unknown code, in both languages: the visible text is the
// code's text in the page's language, never the server's message nor the
// punch's UUID. The manager's list keeps the message as the cell's title.
func TestMessagesNoServerWords(t *testing.T) {
	const id = "01930f6e-8c1a-7b2c-9d3e-123456789abc"
	msg := "punch " + id + " reuses an id with another body"
	uuid := regexp.MustCompile(`(?i)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
	at := time.Date(2026, 3, 2, 8, 57, 0, 0, time.UTC)
	codes := append(slices.Clone(wire.Codes), "quota_exceeded")
	for _, l := range []Lang{English, Chinese} {
		for _, code := range codes {
			werr := &wire.Error{Code: code, Message: msg}
			entry := outbox.Entry{ID: id, At: at, State: outbox.StateRejected, Code: code, Message: msg,
				Punch: attendance.Punch{ID: id, EmployeeID: "E001", Method: attendance.MethodQR, DeviceTime: at}}
			want := refusalText(l, code)
			switch code {
			case wire.CodeExpired:
				want = l.T("phone.expired")
			case wire.CodeConflict:
				want = l.T("phone.used")
			}
			phone := &Phone{lang: l, entries: []outbox.Entry{entry}, punchID: id}
			kiosk := &Kiosk{lang: l, confirm: &Confirmation{Outcome: Failed, Code: "B1", At: at, Method: attendance.MethodBadge, Err: fmt.Errorf("pages: punch: %w", werr)}}
			kiosk.env, _ = newEnv(t, &clock{t: at})
			kiosk.status.Fatal = werr
			man := &Manager{lang: l}
			for _, r := range []struct {
				where string
				ui    app.UI
				want  string
			}{
				{"phone result", phone.renderResult(), want},
				{"phone recent", phone.renderRecent(), want},
				{"kiosk confirmation", kiosk.renderConfirm(), errorText(l, werr)},
				{"kiosk status", kiosk.renderStatus(), l.T("st.stopped")},
				{"manager rejected list", man.table("rejected", []outbox.Entry{entry}, true), refusalText(l, code)},
			} {
				out := app.HTMLString(r.ui)
				text := visibleText(out)
				if !strings.Contains(text, r.want) {
					t.Errorf("%s, %s, code %q: text %q lacks %q", l, r.where, code, text, r.want)
				}
				if strings.Contains(text, "reuses an id") || uuid.MatchString(text) {
					t.Errorf("%s, %s, code %q: text %q shows the server's message or an id", l, r.where, code, text)
				}
				if l == Chinese && !hasHan(r.want) {
					t.Errorf("%s, %s, code %q: %q is not in Chinese", l, r.where, code, r.want)
				}
			}
			// The manager can still read the server's words.
			if out := app.HTMLString(man.table("rejected", []outbox.Entry{entry}, true)); !strings.Contains(html.UnescapeString(out), `title="`+msg+`"`) {
				t.Errorf("%s, code %q: the manager's list lost the server's message: %s", l, code, out)
			}
		}
	}
}

// TestMessagesErrorText: errors are worded by kind, never by their text.
func TestMessagesErrorText(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want string
	}{
		{nil, ""},
		{fmt.Errorf("outbox: put: %w", outbox.ErrQuota), "err.quota"},
		{fmt.Errorf("%w: dial tcp 10.0.0.1:443: connection refused", ErrUnreachable), "err.unreachable"},
		{fmt.Errorf("%w: HTTP 502", ErrFaceUnreachable), "err.unreachable"},
		{fmt.Errorf("pages: enroll: %w", wire.Errorf(wire.CodeForbidden, "device 0193 is in unit U7")), "reject.forbidden"},
		{errors.New("idbstore: transaction aborted: QuotaExceededError"), "err.device"},
	} {
		for _, l := range []Lang{English, Chinese} {
			want := ""
			if tt.want != "" {
				want = l.T(tt.want)
			}
			if got := errorText(l, tt.err); got != want {
				t.Errorf("errorText(%s, %v) = %q, want %q", l, tt.err, got, want)
			}
		}
	}
}

// visibleText is the text of an HTML fragment a person sees: no tags, no
// attributes.
func visibleText(s string) string {
	return html.UnescapeString(regexp.MustCompile(`<[^>]*>`).ReplaceAllString(s, " "))
}

func hasHan(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return unicode.Is(unicode.Han, r) })
}
