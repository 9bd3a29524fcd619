package facematch

import (
	"context"
	"crypto/sha256"
	"errors"
	"image"
	"image/color"
	"math"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"punchclock/app/wire"
	"punchclock/server/internal/facematch/variants"
)

// fakeExtractor answers with the faces registered for an image's bytes.
type fakeExtractor struct {
	mu    sync.Mutex
	faces map[[32]byte][]Face
	calls int
}

func (f *fakeExtractor) Extract(ctx context.Context, b []byte) ([]Face, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	return f.faces[sha256.Sum256(b)], nil
}

// photo makes a distinct small JPEG and registers its faces.
func (f *fakeExtractor) photo(seed int, faces ...Face) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	img.Set(seed%64, seed/64%48, color.RGBA{0, 0, 0, 255})
	img.Set((seed/3)%64, 5, color.RGBA{uint8(seed), 0, 0, 255})
	return f.image(img, faces...)
}

// image encodes img as a JPEG and registers its faces.
func (f *fakeExtractor) image(img image.Image, faces ...Face) []byte {
	b := variants.Encode(img, 90)
	f.mu.Lock()
	if f.faces == nil {
		f.faces = map[[32]byte][]Face{}
	}
	if _, dup := f.faces[sha256.Sum256(b)]; dup {
		panic("duplicate fake photo")
	}
	f.faces[sha256.Sum256(b)] = faces
	f.mu.Unlock()
	return b
}

// desc makes a unit-ish descriptor from a seed; two seeds are ~1.4 apart.
func desc(seed uint64) Descriptor {
	r := rand.New(rand.NewPCG(seed, 7))
	var d Descriptor
	var n float64
	for i := range d {
		d[i] = float32(r.NormFloat64())
		n += float64(d[i] * d[i])
	}
	for i := range d {
		d[i] /= float32(math.Sqrt(n))
	}
	return d
}

// near moves d by exactly dist in a random direction.
func near(d Descriptor, dist float64, seed uint64) Descriptor {
	u := desc(seed + 1000)
	for i := range d {
		d[i] += float32(dist) * u[i]
	}
	return d
}

func face(d Descriptor) Face {
	return Face{Rect: image.Rect(10, 10, 110, 110), Descriptor: d}
}

type fakeClock struct{ t time.Time }

func (c *fakeClock) Now() time.Time { return c.t }

var testKey = []byte("0123456789abcdef0123456789abcdef")

func newTestService(t *testing.T, cfg Config) (*Service, *fakeExtractor, *fakeClock, *Store) {
	t.Helper()
	st, err := OpenStore(context.Background(), ":memory:", testKey)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ex := &fakeExtractor{}
	clk := &fakeClock{t: time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)}
	cfg.Now = clk.Now
	svc, err := New(context.Background(), ex, st, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return svc, ex, clk, st
}

func enroll(t *testing.T, svc *Service, emp, site string, photos ...[]byte) {
	t.Helper()
	if _, err := svc.Enroll(context.Background(), EnrollRequest{EmployeeID: emp, SiteID: site, Photos: photos,
		ConsentBy: emp, Purpose: "attendance punches at the entrance"}); err != nil {
		t.Fatalf("enroll %s: %v", emp, err)
	}
}

func TestIdentifyVerdicts(t *testing.T) {
	ctx := context.Background()
	svc, ex, clk, st := newTestService(t, Config{Sites: map[string]SiteConfig{"strict": {Threshold: 0.3}}, KioskRate: 1000, KioskBurst: 1000})
	alice, bob := desc(1), desc(2)
	enroll(t, svc, "alice", "s1", ex.photo(1, face(alice)), ex.photo(2, face(near(alice, 0.2, 1))))
	enroll(t, svc, "bob", "s1", ex.photo(3, face(bob)))
	enroll(t, svc, "alice", "strict", ex.photo(4, face(alice)))
	// Twins: the same face under two employees at site s2.
	enroll(t, svc, "twin-a", "s2", ex.photo(5, face(desc(9))))
	enroll(t, svc, "twin-b", "s2", ex.photo(6, face(near(desc(9), 0.02, 3))))

	tests := []struct {
		name, site string
		faces      []Face
		want       Verdict
		emp        string
	}{
		{"alice", "s1", []Face{face(near(alice, 0.35, 5))}, VerdictMatch, "alice"},
		{"bob", "s1", []Face{face(near(bob, 0.5, 6))}, VerdictMatch, "bob"},
		{"stranger", "s1", []Face{face(desc(77))}, VerdictUnknown, ""},
		{"just past threshold", "s1", []Face{face(near(bob, 0.61, 8))}, VerdictUnknown, ""},
		{"per-site threshold", "strict", []Face{face(near(alice, 0.35, 5))}, VerdictUnknown, ""},
		{"twins", "s2", []Face{face(desc(9))}, VerdictNotSure, ""},
		{"other site", "s3", []Face{face(alice)}, VerdictUnknown, ""},
		{"no face", "s1", nil, VerdictNoFace, ""},
		{"two faces", "s1", []Face{face(alice), face(bob)}, VerdictManyFaces, ""},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := svc.Identify(ctx, IdentifyRequest{SiteID: tt.site, KioskID: "k1", JPEG: ex.photo(100+i, tt.faces...)})
			if err != nil {
				t.Fatal(err)
			}
			if got.Verdict != tt.want || got.EmployeeID != tt.emp {
				t.Fatalf("got %+v, want %s %q", got, tt.want, tt.emp)
			}
			if tt.want == VerdictNoFace {
				if got.VerdictID != "" {
					t.Fatalf("no_face has verdict id %s", got.VerdictID)
				}
				return
			}
			rec, err := st.Audit(ctx, got.VerdictID)
			if err != nil {
				t.Fatal(err)
			}
			if rec.Verdict != tt.want || rec.KioskID != "k1" || rec.SiteID != tt.site || !rec.At.Equal(clk.t) {
				t.Fatalf("audit %+v", rec)
			}
			if tt.want == VerdictMatch && (rec.Distance == nil || *rec.Distance > rec.Threshold) {
				t.Fatalf("match without distance: %+v", rec)
			}
			if tt.name == "twins" && (rec.SecondDistance == nil || rec.SecondEmployeeID == "" || rec.SecondEmployeeID == rec.EmployeeID) {
				t.Fatalf("tie without second candidate: %+v", rec)
			}
		})
	}
}

func TestEnrollRefusals(t *testing.T) {
	ctx := context.Background()
	svc, ex, _, _ := newTestService(t, Config{})
	ok := ex.photo(1, face(desc(1)))
	tests := []struct {
		name string
		req  EnrollRequest
		code wire.Code
		msg  string
	}{
		{"no face", EnrollRequest{Photos: [][]byte{ex.photo(2)}}, wire.CodeInvalid, "photo 1: no face found; use a well-lit frontal photo"},
		{"two faces", EnrollRequest{Photos: [][]byte{ok, ex.photo(3, face(desc(1)), face(desc(2)))}}, wire.CodeInvalid, "photo 2: 2 faces found; use a photo of the employee alone"},
		{"different people", EnrollRequest{Photos: [][]byte{ok, ex.photo(4, face(desc(2)))}}, wire.CodeInvalid, ""},
		{"no photos", EnrollRequest{}, wire.CodeInvalid, "send 1 to 5 photos, not 0"},
		{"six photos", EnrollRequest{Photos: [][]byte{ok, ok, ok, ok, ok, ok}}, wire.CodeInvalid, "send 1 to 5 photos, not 6"},
		{"not a jpeg", EnrollRequest{Photos: [][]byte{[]byte("GIF89a...")}}, wire.CodeInvalid, "photo 1: not a JPEG image"},
		{"no consent", EnrollRequest{Photos: [][]byte{ok}, ConsentBy: "-"}, wire.CodeInvalid, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := tt.req
			req.EmployeeID, req.SiteID = "e1", "s1"
			if req.ConsentBy == "" {
				req.ConsentBy, req.Purpose = "e1", "attendance"
			} else {
				req.ConsentBy = ""
			}
			_, err := svc.Enroll(ctx, req)
			if got := wire.CodeOf(err); got != tt.code {
				t.Fatalf("code %s (%v), want %s", got, err, tt.code)
			}
			if tt.msg != "" && wire.MessageOf(err) != tt.msg {
				t.Fatalf("message %q, want %q", wire.MessageOf(err), tt.msg)
			}
		})
	}
	if st := svc.Stats(); st.Descriptors != 0 {
		t.Fatalf("refused enrolments stored %d descriptors", st.Descriptors)
	}
}

func TestDeleteAndReload(t *testing.T) {
	ctx := context.Background()
	svc, ex, clk, st := newTestService(t, Config{})
	enroll(t, svc, "alice", "s1", ex.photo(1, face(desc(1))))
	enroll(t, svc, "alice", "s2", ex.photo(2, face(desc(1))))
	enroll(t, svc, "bob", "s1", ex.photo(3, face(desc(2))))

	// A second service over the same store sees the same gallery: the
	// sealed descriptors open with the key.
	svc2, err := New(ctx, ex, st, Config{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := svc2.Stats(), (Stats{Sites: 2, Employees: 3, Descriptors: 3}); got != want {
		t.Fatalf("reloaded stats %+v, want %+v", got, want)
	}
	clk.t = clk.t.Add(time.Hour)
	res, err := svc.DeleteEmployee(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if res.Descriptors != 2 || res.WithdrawnConsents != 2 {
		t.Fatalf("delete %+v", res)
	}
	r, err := svc.Identify(ctx, IdentifyRequest{SiteID: "s1", KioskID: "k", JPEG: ex.photo(4, face(desc(1)))})
	if err != nil || r.Verdict != VerdictUnknown {
		t.Fatalf("after delete: %+v %v", r, err)
	}
	e, err := svc.Employee(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if len(e.Descriptors) != 0 || len(e.Consents) != 2 || e.Consents[0].WithdrawnAt == nil || !e.Consents[0].WithdrawnAt.Equal(clk.t) {
		t.Fatalf("employee after delete %+v", e)
	}
	if _, err := svc.DeleteEmployee(ctx, "nobody"); wire.CodeOf(err) != wire.CodeNotFound {
		t.Fatalf("delete unknown: %v", err)
	}
	// A wrong key cannot open the gallery.
	st.seal, _ = newSealer([]byte("fedcba9876543210fedcba9876543210"))
	if _, err := New(ctx, ex, st, Config{}); err == nil {
		t.Fatal("wrong key opened the gallery")
	}
}

func TestSealBindsRow(t *testing.T) {
	s, _ := newSealer(testKey)
	b := s.seal(desc(1), "alice", "s1", 0)
	if _, err := s.open(b, "bob", "s1", 0); err == nil {
		t.Fatal("alice's sealed descriptor opened as bob's")
	}
	d, err := s.open(b, "alice", "s1", 0)
	if err != nil || d != desc(1) {
		t.Fatalf("round trip: %v", err)
	}
}

func TestParseKey(t *testing.T) {
	for _, k := range []string{"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="} {
		b, err := ParseKey(k)
		if err != nil || len(b) != 32 || b[31] != 31 {
			t.Fatalf("ParseKey(%q) = %v, %v", k, b, err)
		}
	}
	for _, k := range []string{"", "abcd", "zz"} {
		if _, err := ParseKey(k); err == nil {
			t.Fatalf("ParseKey(%q) accepted", k)
		}
	}
}

func TestRateLimitPerKiosk(t *testing.T) {
	ctx := context.Background()
	svc, ex, clk, _ := newTestService(t, Config{KioskRate: 2, KioskBurst: 3, TotalRate: 1, TotalBurst: 5})
	img := ex.photo(1, face(desc(1)))
	try := func(kiosk string) wire.Code {
		_, err := svc.Identify(ctx, IdentifyRequest{SiteID: "s", KioskID: kiosk, JPEG: img})
		if err == nil {
			return ""
		}
		return wire.CodeOf(err)
	}
	for i := range 3 {
		if c := try("k1"); c != "" {
			t.Fatalf("attempt %d: %s", i, c)
		}
	}
	calls := ex.calls
	if c := try("k1"); c != wire.CodeRateLimited {
		t.Fatalf("4th attempt in the same instant: %q, want rate_limited", c)
	}
	if ex.calls != calls {
		t.Fatal("a refused attempt reached the extractor")
	}
	if c := try("k2"); c != "" { // another kiosk has its own allowance
		t.Fatalf("k2: %s", c)
	}
	clk.t = clk.t.Add(500 * time.Millisecond) // one token back at 2/s
	if c := try("k1"); c != "" {
		t.Fatalf("after 0.5 s: %s", c)
	}
	// The total bucket (5, refilling at 1/s) is now empty: made-up kiosk ids do not help.
	if c := try("k3"); c != wire.CodeRateLimited {
		t.Fatalf("k3 past the total: %q", c)
	}
}

func TestCheckJPEG(t *testing.T) {
	good := variants.Encode(image.NewGray(image.Rect(0, 0, 100, 80)), 80)
	tests := []struct {
		name string
		b    []byte
		code wire.Code
	}{
		{"ok", good, ""},
		{"empty", nil, wire.CodeInvalid},
		{"png", []byte("\x89PNG\r\n\x1a\n0000"), wire.CodeInvalid},
		{"truncated", good[:len(good)/2], wire.CodeInvalid},
		{"header only", good[:20], wire.CodeInvalid},
		{"bomb 60000x60000", bomb(good, 60000, 60000), wire.CodeTooLarge},
		{"50 megapixels", bomb(good, 8660, 5773), wire.CodeTooLarge},
		{"tiny", variants.Encode(image.NewGray(image.Rect(0, 0, 8, 8)), 80), wire.CodeInvalid},
		{"too many bytes", append(append([]byte{}, good...), make([]byte, DefaultLimits.MaxBytes)...), wire.CodeTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckJPEG(tt.b, DefaultLimits)
			var got wire.Code
			if err != nil {
				got = wire.CodeOf(err)
				var we *wire.Error
				if !errors.As(err, &we) {
					t.Fatalf("not a wire error: %v", err)
				}
			}
			if got != tt.code {
				t.Fatalf("CheckJPEG: %v, want code %q", err, tt.code)
			}
		})
	}
	if n := countScans(good); n != 1 {
		t.Fatalf("countScans = %d, want 1", n)
	}
}

// bomb rewrites the frame header (SOF0) of a JPEG to claim w×h pixels: a
// few hundred bytes that would decode to gigabytes.
func bomb(b []byte, w, h int) []byte {
	out := append([]byte{}, b...)
	for i := 2; i+8 < len(out); i++ {
		if out[i] == 0xFF && out[i+1] == 0xC0 {
			out[i+5], out[i+6] = byte(h>>8), byte(h)
			out[i+7], out[i+8] = byte(w>>8), byte(w)
			return out
		}
	}
	panic("no SOF0")
}
