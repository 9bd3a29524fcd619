package rotate_test

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"punchclock/app/qrsvg"
	"punchclock/kiosk/rotate"
	"punchclock/kiosk/scan"
)

// fakeToken stands in for app/token: a URL that changes every step. It
// records the instants it was asked about.
type fakeToken struct {
	mu    sync.Mutex
	calls []time.Time
}

func (f *fakeToken) content(now time.Time) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, now)
	return fmt.Sprintf("https://punch.example.com/p?k=kiosk-7&t=%d", now.Unix()/10)
}

// t0 is a step boundary: Unix time 1772441820 is a multiple of 10.
var t0 = time.Date(2026, 3, 2, 8, 57, 0, 0, time.UTC)

func TestAtSameStepIsCached(t *testing.T) {
	tok := &fakeToken{}
	r := rotate.New(tok.content, 0)
	tests := []struct {
		offset   time.Duration
		wantNext time.Duration
	}{
		{0, 10 * time.Second},
		{3500 * time.Millisecond, 6500 * time.Millisecond},
		{9999 * time.Millisecond, time.Millisecond},
		{time.Nanosecond, 10*time.Second - time.Nanosecond},
	}
	first, err := r.At(t0)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		got, err := r.At(t0.Add(tt.offset))
		if err != nil {
			t.Fatal(err)
		}
		if got.Next != tt.wantNext {
			t.Errorf("At(+%v).Next = %v, want %v", tt.offset, got.Next, tt.wantNext)
		}
		if !bytes.Equal(got.SVG, first.SVG) || got.DataURL != first.DataURL || got.Text != first.Text {
			t.Errorf("At(+%v) rendered a different code within the same step", tt.offset)
		}
		if !got.Start.Equal(t0) {
			t.Errorf("At(+%v).Start = %v, want %v", tt.offset, got.Start, t0)
		}
	}
	if got, want := len(tok.calls), 1; got != want {
		t.Fatalf("content called %d times in one step, want %d", got, want)
	}
	if !tok.calls[0].Equal(t0) {
		t.Errorf("content called with %v, want the step start %v", tok.calls[0], t0)
	}
}

func TestAtNextStepRenders(t *testing.T) {
	tok := &fakeToken{}
	r := rotate.New(tok.content, 0)
	a, err := r.At(t0.Add(9 * time.Second))
	if err != nil {
		t.Fatal(err)
	}
	b, err := r.At(t0.Add(10 * time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(a.SVG, b.SVG) || a.Text == b.Text {
		t.Error("next step rendered the same code")
	}
	if got, want := b.Start, t0.Add(rotate.Step); !got.Equal(want) {
		t.Errorf("next step Start = %v, want %v", got, want)
	}
	if got, want := b.Next, 10*time.Second; got != want {
		t.Errorf("next step Next = %v, want %v", got, want)
	}
	// Going back a step (the clock corrected) renders that step again.
	c, err := r.At(t0)
	if err != nil {
		t.Fatal(err)
	}
	if c.Text != a.Text || !bytes.Equal(c.SVG, a.SVG) {
		t.Error("the earlier step rendered differently the second time")
	}
}

// TestDecodesBack reads the rendered image the way a phone would, with
// the kiosk's own decoder, and checks the URL survives exactly; the data
// URL must carry the same SVG.
func TestDecodesBack(t *testing.T) {
	tok := &fakeToken{}
	r := rotate.New(tok.content, 0)
	for i := range 3 {
		f, err := r.At(t0.Add(time.Duration(i) * rotate.Step))
		if err != nil {
			t.Fatal(err)
		}
		if w := svgWidth(t, f.SVG); w > rotate.DefaultSize || w < rotate.DefaultSize/2 {
			t.Errorf("image width %d, want in [%d, %d]", w, rotate.DefaultSize/2, rotate.DefaultSize)
		}
		// As a phone's camera sees it: a few pixels a module.
		img, err := qrsvg.Raster(f.SVG, 4)
		if err != nil {
			t.Fatal(err)
		}
		got, err := scan.NewDecoder().Decode(img)
		if err != nil {
			t.Fatalf("decode: %v", err)
		}
		if want := (scan.Result{Text: f.Text, Format: scan.FormatQR}); got != want {
			t.Errorf("decoded %+v, want %+v", got, want)
		}
		if want := fmt.Sprintf("https://punch.example.com/p?k=kiosk-7&t=%d", t0.Add(time.Duration(i)*rotate.Step).Unix()/10); got.Text != want {
			t.Errorf("decoded %q, want %q", got.Text, want)
		}

		const prefix = qrsvg.DataURLPrefix
		if !strings.HasPrefix(f.DataURL, prefix) {
			t.Fatalf("DataURL starts %.30q, want %q", f.DataURL, prefix)
		}
		raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(f.DataURL, prefix))
		if err != nil || !bytes.Equal(raw, f.SVG) {
			t.Errorf("DataURL does not carry the SVG (err %v)", err)
		}
	}
}

func TestConstantContentKeepsImage(t *testing.T) {
	calls := 0
	r := rotate.New(func(time.Time) string { calls++; return "https://punch.example.com/p" }, 200)
	a, err := r.At(t0)
	if err != nil {
		t.Fatal(err)
	}
	b, err := r.At(t0.Add(rotate.Step))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.SVG, b.SVG) {
		t.Error("same content in the next step rendered a different image")
	}
	if got, want := calls, 2; got != want {
		t.Errorf("content called %d times over two steps, want %d", got, want)
	}
	if w := svgWidth(t, a.SVG); w > 200 {
		t.Errorf("size 200 rendered %d pixels wide", w)
	}
}

func TestConcurrentAtRendersOnce(t *testing.T) {
	tok := &fakeToken{}
	r := rotate.New(tok.content, 0)
	var wg sync.WaitGroup
	svgs := make([][]byte, 8)
	for i := range svgs {
		wg.Go(func() {
			f, err := r.At(t0.Add(time.Duration(i) * time.Second))
			if err != nil {
				t.Error(err)
				return
			}
			svgs[i] = f.SVG
		})
	}
	wg.Wait()
	if got, want := len(tok.calls), 1; got != want {
		t.Errorf("content called %d times, want %d", got, want)
	}
	for i := range svgs {
		if !bytes.Equal(svgs[i], svgs[0]) {
			t.Errorf("goroutine %d got a different image", i)
		}
	}
}

func TestEncodeTooLong(t *testing.T) {
	r := rotate.New(func(time.Time) string { return strings.Repeat("x", 5000) }, 0)
	if _, err := r.At(t0); err == nil {
		t.Error("At with unencodable content: no error")
	}
}

// svgWidth is the width an SVG of Encode asks for, in pixels.
func svgWidth(t *testing.T, svg []byte) int {
	t.Helper()
	_, rest, ok := strings.Cut(string(svg), `width="`)
	if !ok {
		t.Fatalf("no width in %.80s", svg)
	}
	w, _, _ := strings.Cut(rest, `"`)
	n, err := strconv.Atoi(w)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
