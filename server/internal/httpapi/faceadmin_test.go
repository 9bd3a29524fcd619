package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/jpeg"
	"image/png"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"punchclock/server/internal/faceadmin"
	"punchclock/server/internal/facematch"
	"punchclock/server/internal/httpapi"
	"punchclock/server/internal/store"
)

// widthFaces is a face extractor for tests: the faces of an image follow
// its width (faceless, oneFace, twoFaces, tinyFace pixels wide).
type widthFaces struct{}

const (
	faceless = 64
	oneFace  = 200
	twoFaces = 300
	tinyFace = 120
)

func (widthFaces) Extract(_ context.Context, b []byte) ([]facematch.Face, error) {
	c, err := jpeg.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	f := facematch.Face{Rect: image.Rect(0, 0, 150, 150)}
	switch c.Width {
	case oneFace:
		return []facematch.Face{f}, nil
	case twoFaces:
		return []facematch.Face{f, f}, nil
	case tinyFace:
		f.Rect = image.Rect(0, 0, 30, 30)
		return []facematch.Face{f}, nil
	}
	return nil, nil
}

// testPhoto is a JPEG (or PNG) of width w for widthFaces.
func testPhoto(w int, asPNG bool) []byte {
	img := image.NewGray(image.Rect(0, 0, w, 100))
	var b bytes.Buffer
	if asPNG {
		png.Encode(&b, img)
	} else {
		jpeg.Encode(&b, img, nil)
	}
	return b.Bytes()
}

// faceSetup is punchd with the demo organisation and a face admin token,
// and a real face service (the facematch handler, faces found by
// widthFaces) that every site points at.
type faceSetup struct {
	base, admin string
	st          store.Store
	api         *httpapi.Server
	face        *httptest.Server
	fstore      *facematch.Store
}

const faceAdminToken = "face-admin-token-for-tests"

func newFaceSetup(t *testing.T) *faceSetup {
	t.Helper()
	api, admin, st, _ := clockedAPI(t)
	srv := httptest.NewServer(api.Handler())
	t.Cleanup(srv.Close)
	face, fst := startFaceService(t, st, api)
	return &faceSetup{base: srv.URL, admin: admin, st: st, api: api, face: face, fstore: fst}
}

// startFaceService starts a face service (the facematch handler, faces
// found by widthFaces), points every site of st at it and gives api its
// admin token.
func startFaceService(t *testing.T, st store.Store, api *httpapi.Server) (*httptest.Server, *facematch.Store) {
	t.Helper()
	ctx := context.Background()
	api.Face = &faceadmin.Client{Token: faceAdminToken}
	fst, err := facematch.OpenStore(ctx, ":memory:", bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fst.Close() })
	svc, err := facematch.New(ctx, widthFaces{}, fst, facematch.Config{Now: api.Now})
	if err != nil {
		t.Fatal(err)
	}
	face := httptest.NewServer(facematch.NewHandler(svc, faceAdminToken, ""))
	t.Cleanup(face.Close)
	sites, err := st.Sites(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sites {
		s.FaceURL = face.URL
		if _, err := st.PutSite(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	return face, fst
}

func enrollBody(consent bool, photos ...[]byte) []byte {
	b, _ := json.Marshal(map[string]any{"consent": consent, "photos": photos})
	return b
}

// enrollJSON is enrollBody for a browser.
func enrollJSON(consent bool, photos ...[]byte) string { return string(enrollBody(consent, photos...)) }

// faceEntries are the audit log's face entries.
func faceEntries(t *testing.T, st store.Store) []store.AuditEntry {
	t.Helper()
	all, err := st.AuditEntries(context.Background(), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []store.AuditEntry
	for _, e := range all {
		if strings.HasPrefix(e.Action, "face.") {
			out = append(out, e)
		}
	}
	return out
}

// TestFaceEnrolment: HR of the unit enrolls an employee through punchd,
// which asks the employee's face service with its admin token: each photo
// judged (a dry run), consent required, a refused photo named by field,
// the state read back, deletion on request; each act audited once under
// the person who did it, though the face service reports it again.
func TestFaceEnrolment(t *testing.T) {
	f := newFaceSetup(t)
	u := f.base + "/api/v1/employees/"
	web := flowPeople(t, f.base, f.admin)
	hr := web("hr-retail")

	st, body := hr.do("GET", u+"E004/face", nil, false)
	if st != 200 || !strings.Contains(body, `"service":"ready"`) || !strings.Contains(body, `"templates":0`) {
		t.Fatalf("state before: %d %s", st, body)
	}
	if st, body := hr.do("POST", u+"E004/face?dry_run=true", enrollJSON(false, testPhoto(oneFace, false)), true); st != 400 || !strings.Contains(body, `"field":"consent"`) {
		t.Errorf("no consent: %d %s", st, body)
	}
	photos := [][]byte{testPhoto(oneFace, false), testPhoto(faceless, false), testPhoto(twoFaces, false), testPhoto(tinyFace, false), []byte("\xff\xd8\xff broken")}
	st, body = hr.do("POST", u+"E004/face?dry_run=true", enrollJSON(true, photos...), true)
	var dry struct{ Photos []struct{ Result string } }
	json.Unmarshal([]byte(body), &dry)
	var got []string
	for _, p := range dry.Photos {
		got = append(got, p.Result)
	}
	if st != 200 || strings.Join(got, " ") != "accepted no_face many_faces face_too_small bad_image" {
		t.Errorf("dry run: %d %s", st, body)
	}
	if st, body := hr.do("POST", u+"E004/face", enrollJSON(true, photos[0], photos[1]), true); st != 400 || !strings.Contains(body, `{"field":"photos[1]","code":"no_face"}`) {
		t.Errorf("enrol with a faceless photo: %d %s", st, body)
	}
	if n := len(faceEntries(t, f.st)); n != 0 {
		t.Errorf("%d face entries after refusals", n)
	}
	st, body = hr.do("POST", u+"E004/face", enrollJSON(true, photos[0], testPhoto(oneFace, true)), true)
	if st != 201 || !strings.Contains(body, `"templates":2`) {
		t.Fatalf("enrol a JPEG and a PNG: %d %s", st, body)
	}
	st, body = hr.do("GET", u+"E004/face", nil, false)
	if st != 200 || !strings.Contains(body, `"templates":2`) || !strings.Contains(body, `"enrolled_at"`) || !strings.Contains(body, "recorded by user:") {
		t.Errorf("state after: %d %s", st, body)
	}
	// The face service reports the enrolment to punchd: the same entry.
	tok := "face-events-tok"
	if err := f.st.PutToken(context.Background(), store.Token{Hash: httpapi.HashToken(tok), Name: "facematchd", Role: httpapi.RoleFace, CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	sync := &facematch.EventSync{Store: f.fstore, PunchdURL: f.base, Token: tok, Log: slog.Default()}
	if _, err := sync.Once(context.Background()); err != nil {
		t.Fatal(err)
	}
	if es := faceEntries(t, f.st); len(es) != 1 || es[0].Action != "face.enroll" || es[0].Target != "E004" || es[0].Unit != "retail" ||
		!strings.HasPrefix(es[0].Actor, "user:") || !strings.Contains(string(es[0].Detail), `"consent_recorded_by"`) {
		t.Errorf("audit after the enrolment and its report: %+v", es)
	}

	// Deleted on request: the state says so, the consent is withdrawn;
	// a second request finds nothing and is no error.
	st, body = hr.do("DELETE", u+"E004/face", nil, true)
	if st != 200 || !strings.Contains(body, `"deleted_templates":2`) {
		t.Errorf("delete: %d %s", st, body)
	}
	st, body = hr.do("GET", u+"E004/face", nil, false)
	if st != 200 || !strings.Contains(body, `"templates":0`) || !strings.Contains(body, `"withdrawn_at"`) {
		t.Errorf("state after deletion: %d %s", st, body)
	}
	if st, body := hr.do("DELETE", u+"E004/face", nil, true); st != 200 || !strings.Contains(body, `"deleted_templates":0`) {
		t.Errorf("delete again: %d %s", st, body)
	}
	if _, err := sync.Once(context.Background()); err != nil {
		t.Fatal(err)
	}
	if es := faceEntries(t, f.st); len(es) != 3 || es[1].Action != "face.delete" || !strings.HasPrefix(es[1].Actor, "user:") {
		t.Errorf("audit after the deletions: %+v", es)
	}

	// Others are refused naming nothing: a manager, HR of another unit,
	// an employee of another unit, an employee who does not exist.
	for _, c := range []struct {
		who *browser
		emp string
	}{{web("m2"), "E004"}, {web("e4"), "E004"}, {web("hr-works"), "E004"}, {hr, "E021"}, {hr, "E999"}} {
		for _, m := range []string{"GET", "POST", "DELETE"} {
			st, body := c.who.do(m, u+c.emp+"/face", enrollJSON(true, photos[0]), m != "GET")
			if st != 403 || strings.Contains(body, c.emp) {
				t.Errorf("%s %s/face by another: %d %s", m, c.emp, st, body)
			}
		}
	}
}

// TestFaceEnrolmentBadInput: what is no enrolment is invalid or
// too_large, never a 5xx; a face service that is down or not configured
// is said so.
func TestFaceEnrolmentBadInput(t *testing.T) {
	f := newFaceSetup(t)
	u := f.base + "/api/v1/employees/E004/face"
	one := testPhoto(oneFace, false)
	six := enrollBody(true, one, one, one, one, one, one)
	for _, c := range []struct {
		name string
		body []byte
		code int
		want string
	}{
		{"invalid UTF-8", []byte("{\"consent\":true,\"photos\":[\"\xff\xfe\"]}"), 400, "invalid"},
		{"NUL", []byte("{\"consent\":true,\"photos\":[\"a\x00\"]}"), 400, "invalid"},
		{"not base64", []byte(`{"consent":true,"photos":["***"]}`), 400, "invalid"},
		{"unknown field", []byte(`{"consent":true,"photos":[],"x":1}`), 400, "invalid"},
		{"no photos", enrollBody(true), 400, "invalid"},
		{"six photos", six, 400, "invalid"},
		{"not JSON", []byte("GIF89a"), 400, "invalid"},
		{"broken image", enrollBody(true, []byte("GIF89a....")), 400, `"photos[0]","code":"bad_image"`},
		{"cut JPEG", enrollBody(true, one[:200]), 400, `"code":"bad_image"`},
		{"oversized", bytes.Repeat([]byte(" "), httpapi.MaxFaceBody+1), 413, "too_large"},
	} {
		st, body := do(t, "POST", u, f.admin, c.body, nil)
		if st != c.code || !strings.Contains(body, c.want) {
			t.Errorf("%s: %d %.300s, want %d %s", c.name, st, body, c.code, c.want)
		}
	}
	// An oversized image inside a body punchd takes: the face service's
	// too_large, for that photo.
	big := bytes.Repeat([]byte{0xff}, 9<<20)
	if st, body := do(t, "POST", u+"?dry_run=true", f.admin, enrollBody(true, big), nil); st != 200 || !strings.Contains(body, `"result":"too_large"`) {
		t.Errorf("a 9 MiB photo: %d %.300s", st, body)
	}
	if st, body := do(t, "GET", f.base+"/api/v1/employees/%FF%00/face", f.admin, nil, nil); st >= 500 {
		t.Errorf("a bad id: %d %s", st, body)
	}

	// The face service down: the state says unreachable, a write is
	// transient.
	f.face.Close()
	if st, body := do(t, "GET", u, f.admin, nil, nil); st != 200 || !strings.Contains(body, `"service":"unreachable"`) {
		t.Errorf("face service down: %d %s", st, body)
	}
	if st, body := do(t, "POST", u, f.admin, enrollBody(true, one), nil); st != 503 || !strings.Contains(body, "transient") {
		t.Errorf("enrol with the face service down: %d %s", st, body)
	}
	// No face admin token in punchd: not linked; a site without a face
	// service: no_service.
	f.api.Face = nil
	if st, body := do(t, "GET", u, f.admin, nil, nil); st != 200 || !strings.Contains(body, `"service":"not_linked"`) {
		t.Errorf("no token: %d %s", st, body)
	}
	site, _ := f.st.Site(context.Background(), "sh-jingan")
	site.FaceURL = ""
	f.st.PutSite(context.Background(), site)
	st, body := do(t, "POST", u, f.admin, enrollBody(true, one), nil)
	if st != 409 || !strings.Contains(body, "no_service") {
		t.Errorf("no face service: %d %s", st, body)
	}
}
