package wire_test

import (
	"crypto/ed25519"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"punchclock/app/attendance"
	"punchclock/app/wire"
)

func TestCheckTextAndID(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		textOK   bool
		idOK     bool
		inReason string // part of the message when refused
	}{
		{"plain", "E004", true, true, ""},
		{"empty", "", true, true, ""},
		{"chinese", "李伟", true, true, ""},
		{"emoji", "🙂", true, true, ""},
		{"NUL", "\x00", false, false, "NUL"},
		{"NUL inside", "E0\x0004", false, false, "NUL"},
		{"lone continuation byte", "\x80", false, false, "UTF-8"},
		{"0xFF", "E\xff", false, false, "UTF-8"},
		{"truncated sequence", "caf\xc3", false, false, "UTF-8"},
		{"overlong slash", "\xc0\xaf", false, false, "UTF-8"},
		{"UTF-16 surrogate half", "\xed\xa0\x80", false, false, "UTF-8"},
		{"newline", "line\nline", true, false, "U+000A"},
		{"tab", "a\tb", true, false, "U+0009"},
		{"DEL", "a\x7f", true, false, "U+007F"},
		{"C1 control", "a\u0085", true, false, "U+0085"},
		{"long id", strings.Repeat("x", wire.MaxIDLen+1), true, false, "longer"},
		{"longest id", strings.Repeat("x", wire.MaxIDLen), true, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, c := range []struct {
				kind  string
				check func(string, string) error
				ok    bool
			}{{"text", wire.CheckText, tt.textOK}, {"id", wire.CheckID, tt.idOK}} {
				err := c.check("query parameter x", tt.in)
				if (err == nil) != c.ok {
					t.Errorf("Check%s(%q) = %v, want ok %v", c.kind, tt.in, err, c.ok)
					continue
				}
				if err == nil {
					continue
				}
				msg := wire.MessageOf(err)
				if wire.CodeOf(err) != wire.CodeInvalid || !strings.Contains(msg, "query parameter x") || !strings.Contains(msg, tt.inReason) {
					t.Errorf("Check%s(%q) = %v: want invalid naming the field and %q", c.kind, tt.in, err, tt.inReason)
				}
			}
		})
	}
}

func TestCheckStrings(t *testing.T) {
	type inner struct {
		Note    string `json:"note"`
		OwnerID string `json:"owner_id"`
	}
	type doc struct {
		ID      string            `json:"id"`
		Name    string            `json:"name"`
		Tags    []string          `json:"tags"`
		Items   []inner           `json:"items"`
		Ptr     *inner            `json:"ptr"`
		Meta    map[string]string `json:"meta"`
		Raw     json.RawMessage   `json:"raw"`
		Secret  string            `json:"-"`
		hidden  string
		PlainID string // no tag: a Go name ending in ID is an id
		Any     any    `json:"any"`
	}
	ok := doc{ID: "d1", Name: "line\none", Raw: json.RawMessage("\x00\xff"), Secret: "\x00", hidden: "\x00"}
	tests := []struct {
		name   string
		mangle func(d *doc)
		want   string // "" for no error, else part of the message
	}{
		{"clean, with bytes, ignored and hidden fields", func(*doc) {}, ""},
		{"id with NUL", func(d *doc) { d.ID = "d\x00" }, "field id contains a NUL"},
		{"id with newline", func(d *doc) { d.ID = "d\n" }, "field id contains the control character"},
		{"text with NUL", func(d *doc) { d.Name = "\x00" }, "field name contains a NUL"},
		{"slice element", func(d *doc) { d.Tags = []string{"a", "\xff"} }, "field tags[1] is not valid UTF-8"},
		{"nested id", func(d *doc) { d.Items = []inner{{}, {OwnerID: "\x01"}} }, "field items[1].owner_id contains the control"},
		{"nested text may hold a newline", func(d *doc) { d.Items = []inner{{Note: "a\nb"}} }, ""},
		{"pointer", func(d *doc) { d.Ptr = &inner{Note: "\x00"} }, "field ptr.note"},
		{"map value", func(d *doc) { d.Meta = map[string]string{"k": "\x00"} }, `field meta["k"]`},
		{"map key", func(d *doc) { d.Meta = map[string]string{"\xff": "v"} }, "a key of field meta"},
		{"untagged id", func(d *doc) { d.PlainID = "a\tb" }, "field PlainID"},
		{"interface", func(d *doc) { d.Any = map[string]any{"x": []any{"\x00"}} }, `field any["x"][0]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := ok
			tt.mangle(&d)
			err := wire.CheckStrings(&d)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("CheckStrings = %v, want nil", err)
			case tt.want != "" && (wire.CodeOf(err) != wire.CodeInvalid || !strings.Contains(wire.MessageOf(err), tt.want)):
				t.Errorf("CheckStrings = %v, want invalid with %q", err, tt.want)
			}
		})
	}
}

// TestCheckStringsPunch: the punch's ids (embedded evidence included) are
// held to CheckID, its free text to CheckText.
func TestCheckStringsPunch(t *testing.T) {
	p := attendance.Punch{ID: "019a0000-0000-7000-8000-000000000001", EmployeeID: "E1", DeviceID: "dev-1", Method: attendance.MethodManual,
		Evidence: attendance.Evidence{Note: "forgot the badge\nsays the manager", FaceID: "v1"}}
	if err := wire.CheckStrings(&p); err != nil {
		t.Fatalf("clean punch: %v", err)
	}
	p.Evidence.FaceID = "v\x1b"
	if err := wire.CheckStrings(&p); !strings.Contains(wire.MessageOf(err), "evidence.face_verdict_id") {
		t.Errorf("control character in the verdict id: %v", err)
	}
}

func TestCheckJSON(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		depth int
		want  string // "" for no error
	}{
		{"plain", `{"a":1,"b":{"a":2},"c":[{"a":3},{"a":4}]}`, 0, ""},
		{"same key in sibling objects", `[{"seq":1},{"seq":2}]`, 0, ""},
		{"key equal to a value", `{"a":"b","b":"a"}`, 0, ""},
		{"duplicate", `{"seq":1,"seq":2}`, 0, `"seq" twice`},
		{"duplicate after a nested object", `{"a":{"x":1,"y":2},"b":[1,{"a":1}],"a":3}`, 0, `"a" twice`},
		{"duplicate nested", `{"evidence":{"badge_code":"a","badge_code":"b"}}`, 0, `"badge_code" twice`},
		{"case variant", `{"seq":1,"SEQ":2}`, 0, `"seq" twice`},
		{"escaped variant", `{"seq":1,"s\u0065q":2}`, 0, `"seq" twice`},
		{"kelvin sign folds to k", `{"k":1,"\u212a":2}`, 0, "twice"},
		{"escaped quote in a key", `{"a\"b":1,"a\"b":2}`, 0, "twice"},
		{"string values with braces and commas", `{"a":"},{\"a\":","b":"]"}`, 0, ""},
		{"invalid UTF-8 in a string", "{\"a\":\"\xff\"}", 0, "UTF-8"},
		{"below the depth checked", `{"punches":[{"body":{"seq":1,"seq":2}}]}`, 3, ""},
		{"at the depth checked", `{"punches":[{"body":1,"body":2}]}`, 3, `"body" twice`},
		{"outermost at depth 3", `{"a":1,"a":2}`, 3, "twice"},
		{"unterminated (not JSON) does not panic", `{"a`, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := wire.CheckJSON([]byte(tt.in), tt.depth)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("CheckJSON(%s) = %v, want nil", tt.in, err)
			case tt.want != "" && (wire.CodeOf(err) != wire.CodeInvalid || !strings.Contains(wire.MessageOf(err), tt.want)):
				t.Errorf("CheckJSON(%s) = %v, want invalid with %q", tt.in, err, tt.want)
			}
		})
	}
}

// TestCheckJSONLargeObject: an object of many keys is checked in linear
// time (a set past a few keys) and still finds a late duplicate.
func TestCheckJSONLargeObject(t *testing.T) {
	var b strings.Builder
	b.WriteString("{")
	for i := range 50000 {
		b.WriteString(`"k` + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + `_` + strconv.Itoa(i) + `":1,`)
	}
	b.WriteString(`"k_9":1,"K_9":2}`)
	if err := wire.CheckJSON([]byte(b.String()), 0); err == nil || !strings.Contains(wire.MessageOf(err), "k_9") {
		t.Errorf("late duplicate in a large object: %v", err)
	}
}

// TestParseDeviceAuthBadID: the device id of the header is refused as
// invalid before anything looks it up.
func TestParseDeviceAuthBadID(t *testing.T) {
	_, key, _ := ed25519.GenerateKey(nil)
	now := time.Date(2026, 11, 20, 1, 0, 0, 0, time.UTC)
	for _, id := range []string{"dev-\xff", "dev-\x00", "dev-\x01"} {
		_, err := wire.ParseDeviceAuth(wire.SignRequest(id, key, "GET", "/x", now, nil))
		if wire.CodeOf(err) != wire.CodeInvalid || !strings.Contains(wire.MessageOf(err), "device id of the authorization header") {
			t.Errorf("id %q: %v, want invalid naming the header's device id", id, err)
		}
	}
	if a, err := wire.ParseDeviceAuth(wire.SignRequest("dev-1", key, "GET", "/x", now, nil)); err != nil || a.DeviceID != "dev-1" {
		t.Errorf("good header: %+v %v", a, err)
	}
}
