package console

import (
	"errors"
	"strings"
	"testing"
)

// TestTexts: every text is in both languages, and a refusal is said from
// its code (one the console has no words for gets the general message),
// never with the server's message.
func TestTexts(t *testing.T) {
	for key := range texts["en"] {
		if _, ok := texts["zh"][key]; !ok {
			t.Errorf("%q has no Chinese", key)
		}
	}
	for key := range texts["zh"] {
		if _, ok := texts["en"][key]; !ok {
			t.Errorf("%q has no English", key)
		}
	}
	for _, c := range []string{"unauthorized", "forbidden", "rate_limited", "invalid", "offline", "transient"} {
		if got := lang("zh").refusal(c); got == texts["zh"]["err.failed"] || got == "err."+c {
			t.Errorf("refusal %q in Chinese: %q", c, got)
		}
	}
	if got := lang("en").refusal("no_such_code"); got != texts["en"]["err.failed"] {
		t.Errorf("an unknown code says %q", got)
	}
}

// TestCode: the code of an error is the server's refusal code, "offline"
// for no answer, the HTTP status for an answer without a code.
func TestCode(t *testing.T) {
	for _, c := range []struct {
		err  error
		want string
	}{
		{nil, ""},
		{&apiError{Status: 401, Code: "unauthorized", Message: "bad password"}, "unauthorized"},
		{&apiError{Status: 502}, "http502"},
		{errors.Join(errOffline, errors.New("dial")), "offline"},
		{errors.New("json"), "failed"},
	} {
		if got := code(c.err); got != c.want {
			t.Errorf("code(%v) = %q, want %q", c.err, got, c.want)
		}
	}
}

// TestOffset: clock offsets in words.
func TestOffset(t *testing.T) {
	for _, c := range []struct {
		ms   int64
		want string
	}{{0, "0.0 s"}, {1234, "+1.2 s"}, {-45, "0.0 s"}, {-1960, "-2.0 s"}, {-3 * 60_000, "-3 min"}, {3*3600_000 + 7*60_000, "+187 min"}} {
		if got := offset("en", c.ms); got != c.want {
			t.Errorf("offset(%d) = %q, want %q", c.ms, got, c.want)
		}
	}
}

// TestSummary: the preview's summary counts changes by verdict, the most
// first (not in the order of their text: 18 before 9), and a change that
// keeps the status says its details changed rather than "absent → absent".
func TestSummary(t *testing.T) {
	st := func(s string) *struct {
		Status string `json:"status"`
	} {
		return &struct {
			Status string `json:"status"`
		}{s}
	}
	var cs []ruleChange
	for range 9 {
		cs = append(cs, ruleChange{Before: st("late"), After: st("normal")})
	}
	for range 18 {
		cs = append(cs, ruleChange{Before: st("absent"), After: st("absent")})
	}
	got := summary(lang("en"), cs)
	want := []string{"18 × absent, details changed", "9 × late → normal"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("summary: %q, want %q", got, want)
	}
}

func TestCommandName(t *testing.T) {
	for in, want := range map[string]string{
		"DATA QUERY ATTLOG StartTime=2026-03-05 00:00:00\tEndTime=2026-03-11 23:59:59": "DATA QUERY ATTLOG",
		"DATA UPDATE USERINFO PIN=1\tName=Li":                                          "DATA UPDATE USERINFO",
		"CHECK":                                                                        "CHECK", "": "",
	} {
		if got := commandName(in); got != want {
			t.Errorf("commandName(%q) = %q, want %q", in, got, want)
		}
	}
}
