package jsonenc

import (
	"encoding/json"
	"math"
	"testing"
	"time"
)

func marshal(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestLikeMarshal(t *testing.T) {
	for _, s := range []string{"", "plain", `q"b\s`, "<a href='x'>&amp;</a>", "\x00\x01\b\f\n\r\t\x1f\x7f", "迟到 11 分钟：首次上班打卡",
		"bad \xff\xfe utf8 \xe4\xb8", "line\u2028sep\u2029", "emoji 🙂", "\u00e9\u0301"} {
		if got, want := string(String(nil, s)), marshal(t, s); got != want {
			t.Errorf("String(%q) = %s, want %s", s, got, want)
		}
	}
	for _, f := range []float64{0, 1, -1, 31.2304, 121.4737, 1e-6, 9.99e-7, 1e-9, 1e20, 1e21, 1.5e300, -2.5e-10, 0.1 + 0.2, math.MaxFloat64, math.SmallestNonzeroFloat64} {
		if got, want := string(Float(nil, f)), marshal(t, f); got != want {
			t.Errorf("Float(%v) = %s, want %s", f, got, want)
		}
	}
	sh, _ := time.LoadLocation("Asia/Shanghai")
	for _, tm := range []time.Time{time.Unix(0, 0).UTC(), time.Date(2026, 10, 1, 9, 0, 0, 0, sh), time.Date(2026, 3, 8, 2, 30, 15, 123456789, time.FixedZone("", -5*3600)), time.Date(2026, 1, 1, 0, 0, 0, 1000, time.UTC)} {
		if got, want := string(Time(nil, tm)), marshal(t, tm); got != want {
			t.Errorf("Time(%v) = %s, want %s", tm, got, want)
		}
	}
	if got := string(Key(Int(nil, -42), "k")); got != `-42"k":` {
		t.Errorf("Key, Int: %s", got)
	}
}
