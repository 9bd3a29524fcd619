package facematch

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestCheckPhotos judges each enrolment photo on its own: the verdict a
// console shows next to it.
func TestCheckPhotos(t *testing.T) {
	ctx := context.Background()
	svc, ex, _, _ := newTestService(t, Config{})
	alice := desc(1)
	small := face(alice)
	small.Rect = image.Rect(0, 0, 40, 40)
	// A PNG is redrawn as a JPEG for dlib: its faces are the JPEG's.
	img := image.NewRGBA(image.Rect(0, 0, 64, 64))
	for i := range img.Pix {
		img.Pix[i] = 200
	}
	img.Set(3, 3, color.Black)
	var pngBuf bytes.Buffer
	png.Encode(&pngBuf, img)
	jp, err := enrollJPEG(pngBuf.Bytes(), svc.cfg.Limits)
	if err != nil {
		t.Fatal(err)
	}
	huge := pngHeader(60000, 60000)
	photos := [][]byte{
		ex.photo(1, face(alice)),
		ex.photo(2),
		ex.photo(3, face(alice), face(desc(2))),
		ex.photo(4, small),
		[]byte("GIF89a not an image"),
		ex.photo(5, face(alice))[:300], // cut short
		huge,
		ex.photo(6, face(desc(3))),
		pngBuf.Bytes(),
	}
	ex.faces[sha256.Sum256(jp)] = []Face{face(near(alice, 0.1, 4))}
	checks, descs, err := svc.CheckPhotos(ctx, "s1", photos)
	if err != nil {
		t.Fatal(err)
	}
	want := []PhotoResult{PhotoAccepted, PhotoNoFace, PhotoManyFaces, PhotoTooSmall, PhotoBadImage, PhotoBadImage, PhotoTooLarge, PhotoNotSame, PhotoAccepted}
	for i, w := range want {
		if checks[i].Result != w {
			t.Errorf("photo %d: %+v, want %s", i+1, checks[i], w)
		}
		if w != PhotoAccepted && checks[i].Message == "" {
			t.Errorf("photo %d: no message", i+1)
		}
	}
	if len(descs) != 2 || checks[2].Faces != 2 {
		t.Errorf("%d descriptors, %d faces on photo 3", len(descs), checks[2].Faces)
	}
	if st := svc.Stats(); st.Descriptors != 0 {
		t.Errorf("a check stored %d descriptors", st.Descriptors)
	}

	// Over HTTP: the dry run answers the verdicts; an enrolment with a
	// refused photo says which, and stores nothing.
	h := NewHandler(svc, "admin-tok", "")
	post := func(path string, body any) (int, map[string]any) {
		b, _ := json.Marshal(body)
		req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer admin-tok")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		var out map[string]any
		json.Unmarshal(rec.Body.Bytes(), &out)
		return rec.Code, out
	}
	two := map[string]any{"employee_id": "e1", "site_id": "s1", "photos": [][]byte{photos[0], photos[1]},
		"consent": map[string]string{"by": "e1", "purpose": "punches"}}
	code, out := post("/api/v1/enroll?dry_run=true", two)
	if b, _ := json.Marshal(out); code != 200 || !strings.Contains(string(b), `"result":"accepted"`) || !strings.Contains(string(b), `"result":"no_face"`) {
		t.Errorf("dry run: %d %s", code, b)
	}
	code, out = post("/api/v1/enroll", two)
	if b, _ := json.Marshal(out); code != 400 || !strings.Contains(string(b), `"code":"invalid"`) || !strings.Contains(string(b), `"result":"no_face"`) {
		t.Errorf("enroll with a photo without a face: %d %s", code, b)
	}
	one := map[string]any{"employee_id": "e1", "site_id": "s1", "photos": [][]byte{photos[0], pngBuf.Bytes()},
		"consent": map[string]string{"by": "e1", "purpose": "punches"}}
	code, out = post("/api/v1/enroll", one)
	if code != 201 || out["event_id"] == "" || out["descriptors"] != 2.0 {
		t.Errorf("enroll a JPEG and a PNG: %d %v", code, out)
	}
}

// pngHeader is the start of a PNG claiming w x h pixels.
func pngHeader(w, h int) []byte {
	var b bytes.Buffer
	png.Encode(&b, image.NewGray(image.Rect(0, 0, 1, 1)))
	p := b.Bytes()[:33]
	p[16], p[17], p[18], p[19] = byte(w>>24), byte(w>>16), byte(w>>8), byte(w)
	p[20], p[21], p[22], p[23] = byte(h>>24), byte(h>>16), byte(h>>8), byte(h)
	binary.BigEndian.PutUint32(p[29:], crc32.ChecksumIEEE(p[12:29]))
	return p
}
