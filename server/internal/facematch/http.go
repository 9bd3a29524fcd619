package facematch

import (
	"bytes"
	"context"
	"crypto/subtle"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"time"

	"punchclock/app/wire"
)

//go:embed openapi.json
var openAPI []byte

// OpenAPI returns the OpenAPI document of the HTTP API.
func OpenAPI() []byte { return openAPI }

// Handler is the HTTP API of facematchd under /api/v1/.
type Handler struct {
	svc *Service
	// AdminToken guards enrolment, deletion, employee records and audit
	// records (punchd uses it); empty refuses every admin request.
	AdminToken string
	// Devices, when set, are the kiosks whose signed requests (PC-Device,
	// as to punchd) identify and liveness accept: a DeviceSync, the copy of
	// punchd's enrolled kiosks.
	Devices Devices
	// KioskToken, when set, is a bearer token identify and liveness accept
	// instead of a signature: for setups without a link to punchd. With
	// neither, the kiosk endpoints are open to the LAN.
	KioskToken string
	// RequireLiveness refuses single-frame identification: kiosks must
	// send a head turn to /api/v1/liveness. Health announces it, so the
	// kiosk knows which flow to run. A service serves one site's LAN, so
	// this is the site's choice.
	RequireLiveness bool
	Log             *slog.Logger
	mux             *http.ServeMux
	routes          []string
}

// Routes lists the patterns the handler serves ("POST /api/v1/identify").
func (h *Handler) Routes() []string { return h.routes }

// NewHandler makes the HTTP handler of svc.
func NewHandler(svc *Service, adminToken, kioskToken string) *Handler {
	h := &Handler{svc: svc, AdminToken: adminToken, KioskToken: kioskToken, Log: slog.Default(), mux: http.NewServeMux()}
	route := func(pattern string, f func(http.ResponseWriter, *http.Request) error) {
		h.routes = append(h.routes, pattern)
		h.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
			if err := f(w, r); err != nil {
				h.writeError(w, r, err)
			}
		})
	}
	route("GET /api/v1/health", h.health)
	route("GET /api/v1/openapi.json", func(w http.ResponseWriter, r *http.Request) error {
		w.Header().Set("Content-Type", "application/json")
		_, err := w.Write(openAPI)
		return err
	})
	route("POST /api/v1/enroll", h.admin(h.enroll))
	route("GET /api/v1/employees/{id}", h.admin(h.employee))
	route("DELETE /api/v1/employees/{id}", h.admin(h.deleteEmployee))
	route("GET /api/v1/audit/{id}", h.admin(h.audit))
	identify := h.kiosk(func() int64 { return h.svc.cfg.Limits.MaxBytes }, h.identify)
	route("POST /api/v1/identify", func(w http.ResponseWriter, r *http.Request) error {
		// Refused before the signature check reads the frame.
		if h.RequireLiveness {
			return wire.Errorf(wire.CodeLivenessRequired, "this face service requires the liveness check: send %d to %d frames of a head turn to /api/v1/liveness",
				h.svc.cfg.Liveness.MinFrames, h.svc.cfg.Liveness.MaxFrames)
		}
		return identify(w, r)
	})
	route("POST /api/v1/liveness", h.kiosk(func() int64 { return h.maxRequest(h.svc.cfg.Liveness.MaxFrames) }, h.liveness))
	route("/api/v1/", func(w http.ResponseWriter, r *http.Request) error {
		return wire.Errorf(wire.CodeNotFound, "no route %s %s", r.Method, r.URL.Path)
	})
	return h
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// A panic in one request must not take the service down for every kiosk.
	defer func() {
		if v := recover(); v != nil {
			h.Log.Error("facematch: panic", "path", r.URL.Path, "panic", v)
			h.writeError(w, r, fmt.Errorf("panic: %v", v))
		}
	}()
	if corsPaths[r.URL.Path] && cors(w, r) {
		return
	}
	h.mux.ServeHTTP(w, r)
}

// corsPaths are the endpoints the kiosk page calls. The page comes from
// punchd, another origin than this service on the store's LAN, so the
// browser sends them only if the answers allow it.
var corsPaths = map[string]bool{"/api/v1/identify": true, "/api/v1/liveness": true, "/api/v1/health": true}

// corsHeaders are the request headers a kiosk sends: the JPEG's or the
// JSON's type, the site and kiosk ids, and its signature (or the kiosk
// token).
const corsHeaders = "Content-Type, X-Site-ID, X-Kiosk-ID, Authorization"

// cors lets pages of any origin call the kiosk endpoints, and answers a
// preflight (reporting true: nothing more to do). Any origin, because a
// kiosk's origin is wherever punchd runs, which this service does not know;
// that opens nothing a LAN client without a browser could not already do,
// and no cookies are involved (the signature or kiosk token is a header).
// The admin endpoints stay same-origin.
func cors(w http.ResponseWriter, r *http.Request) bool {
	hd := w.Header()
	hd.Set("Access-Control-Allow-Origin", "*")
	// The kiosk honours Retry-After on rate_limited.
	hd.Set("Access-Control-Expose-Headers", "Retry-After")
	if r.Method != http.MethodOptions || r.Header.Get("Access-Control-Request-Method") == "" {
		return false
	}
	hd.Set("Access-Control-Allow-Methods", "GET, POST")
	hd.Set("Access-Control-Allow-Headers", corsHeaders)
	hd.Set("Access-Control-Max-Age", "600")
	// Chromium's Private Network Access: a page from a public address
	// calling this LAN service asks first.
	if r.Header.Get("Access-Control-Request-Private-Network") == "true" {
		hd.Set("Access-Control-Allow-Private-Network", "true")
	}
	w.WriteHeader(http.StatusNoContent)
	return true
}

// writeError writes the project's error envelope with the code's status.
func (h *Handler) writeError(w http.ResponseWriter, r *http.Request, err error) {
	code := wire.CodeOf(err)
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		code = wire.CodeTooLarge
		err = wire.Errorf(wire.CodeTooLarge, "request body is larger than %d bytes", mbe.Limit)
	}
	if code == wire.CodeInternal {
		h.Log.Error("facematch: request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	var ra RetryAfter
	if errors.As(err, &ra) {
		w.Header().Set("Retry-After", strconv.Itoa(max(1, int((time.Duration(ra)+time.Second-1)/time.Second))))
	}
	var body wire.ErrorBody
	body.Error.Code = code
	body.Error.Message = wire.MessageOf(err)
	writeJSON(w, code.HTTPStatus(), body)
}

func writeJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	return json.NewEncoder(w).Encode(v)
}

func bearer(r *http.Request) string {
	a := r.Header.Get("Authorization")
	if len(a) > 7 && strings.EqualFold(a[:7], "bearer ") {
		return strings.TrimSpace(a[7:])
	}
	return ""
}

func tokenOK(got, want string) bool {
	return want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

func (h *Handler) admin(f func(http.ResponseWriter, *http.Request) error) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		if !tokenOK(bearer(r), h.AdminToken) {
			return wire.Errorf(wire.CodeUnauthorized, "admin bearer token required")
		}
		return f(w, r)
	}
}

// kiosk wraps identify and liveness: it authenticates the request (see
// authenticate) and hands the signing device, if any, to f. limit is the
// route's body limit.
func (h *Handler) kiosk(limit func() int64, f func(http.ResponseWriter, *http.Request, *Device) error) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		dev, err := h.authenticate(w, r, limit())
		if err != nil {
			return err
		}
		return f(w, r, dev)
	}
}

// authenticate admits a kiosk request: signed by a kiosk of Devices, or
// carrying the KioskToken, or anything when the service has neither. It
// returns the signing kiosk (nil for the other two). A signed request's
// device is looked up before its body is read, so unknown and revoked
// kiosks cost nothing; then the body is read (up to limit) for the
// signature and put back for the handler.
func (h *Handler) authenticate(w http.ResponseWriter, r *http.Request, limit int64) (*Device, error) {
	authz := r.Header.Get("Authorization")
	switch {
	case h.Devices != nil && strings.HasPrefix(authz, wire.AuthScheme+" "):
		return h.verifyDevice(w, r, authz, limit)
	case h.KioskToken != "" && tokenOK(bearer(r), h.KioskToken):
		return nil, nil
	case h.Devices == nil && h.KioskToken == "":
		return nil, nil
	case h.Devices != nil && h.KioskToken != "":
		return nil, wire.Errorf(wire.CodeUnauthorized, "sign the request as a kiosk enrolled in punchd (Authorization: %s ...) or send the kiosk bearer token", wire.AuthScheme)
	case h.Devices != nil:
		return nil, wire.Errorf(wire.CodeUnauthorized, "sign the request as a kiosk enrolled in punchd (Authorization: %s ...)", wire.AuthScheme)
	default:
		return nil, wire.Errorf(wire.CodeUnauthorized, "kiosk bearer token required")
	}
}

// verifyDevice checks a PC-Device signature with the kiosk's key from
// Devices. Unknown, revoked and bad signatures are unauthorized.
func (h *Handler) verifyDevice(w http.ResponseWriter, r *http.Request, authz string, limit int64) (*Device, error) {
	a, err := wire.ParseDeviceAuth(authz)
	if err != nil {
		return nil, err
	}
	dev, err := h.Devices.Device(r.Context(), a.DeviceID)
	switch {
	case errors.Is(err, ErrNotFound):
		return nil, wire.Errorf(wire.CodeUnauthorized, "unknown kiosk %q: it is not enrolled in punchd, or this face service has not learnt it yet", a.DeviceID)
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		return nil, &wire.Error{Code: wire.CodeTransient, Message: "busy, try again", Err: err}
	case err != nil:
		return nil, err
	case dev.Revoked:
		return nil, wire.Errorf(wire.CodeUnauthorized, "kiosk %s is revoked in punchd", dev.ID)
	}
	if r.ContentLength > limit {
		return nil, wire.Errorf(wire.CodeTooLarge, "request body is %d bytes; at most %d", r.ContentLength, limit)
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		return nil, badBody(err, "could not read the body")
	}
	if !a.Verify(dev.PublicKey, r.Method, r.URL.RequestURI(), body) {
		return nil, wire.Errorf(wire.CodeUnauthorized, "request signature does not verify for kiosk %s", dev.ID)
	}
	r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
	return &dev, nil
}

// bind checks the site and kiosk a request names against its signing
// kiosk: the signer is the kiosk (an id naming another is refused), and it
// serves its own site only (an empty site is its site). Without a signer
// (kiosk token, open service) the request's word stands.
func bind(dev *Device, site, kiosk string) (string, string, error) {
	if dev == nil {
		return site, kiosk, nil
	}
	if kiosk != "" && kiosk != dev.ID {
		return "", "", wire.Errorf(wire.CodeForbidden, "kiosk id %q is not the signing kiosk %s", kiosk, dev.ID)
	}
	if site == "" {
		site = dev.SiteID
	}
	if site != dev.SiteID {
		return "", "", wire.Errorf(wire.CodeForbidden, "kiosk %s serves site %s, not %s", dev.ID, dev.SiteID, site)
	}
	return site, dev.ID, nil
}

func (h *Handler) health(w http.ResponseWriter, r *http.Request) error {
	// liveness tells kiosks whether identify takes a single frame
	// ("offered": the head-turn check is available) or refuses it
	// ("required").
	liveness := "offered"
	if h.RequireLiveness {
		liveness = "required"
	}
	return writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "gallery": h.svc.Stats(), "liveness": liveness})
}

// maxRequest is the body limit of requests carrying several images (base64
// adds a third).
func (h *Handler) maxRequest(images int) int64 {
	return int64(images)*h.svc.cfg.Limits.MaxBytes*4/3 + 64<<10
}

// readImages reads images from a multipart form (file parts named field,
// other parts returned as fields) or from JSON (base64 strings in the array
// named field; the whole object is decoded into v).
func readImages(w http.ResponseWriter, r *http.Request, limit int64, field string, maxImages int, v any) ([][]byte, map[string]string, error) {
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	ct, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "multipart/form-data":
		mr := multipart.NewReader(r.Body, params["boundary"])
		var imgs [][]byte
		fields := map[string]string{}
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				return nil, nil, badBody(err, "malformed multipart body")
			}
			b, err := io.ReadAll(p)
			if err != nil {
				return nil, nil, badBody(err, "malformed multipart body")
			}
			if p.FormName() == field {
				if len(imgs) == maxImages {
					return nil, nil, wire.Errorf(wire.CodeInvalid, "at most %d %s parts", maxImages, field)
				}
				imgs = append(imgs, b)
			} else if len(fields) < 32 {
				fields[p.FormName()] = string(b)
			}
		}
		return imgs, fields, nil
	case "application/json":
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, nil, badBody(err, "could not read the body")
		}
		if len(body) == 0 {
			return nil, nil, wire.Errorf(wire.CodeInvalid, "empty body")
		}
		if err := json.Unmarshal(body, v); err != nil {
			return nil, nil, badBody(err, "malformed JSON")
		}
		var raw map[string]json.RawMessage
		_ = json.Unmarshal(body, &raw)
		var enc []string
		if m, ok := raw[field]; ok {
			if err := json.Unmarshal(m, &enc); err != nil {
				return nil, nil, badBody(err, field+" must be an array of base64 JPEG strings")
			}
		}
		if len(enc) > maxImages {
			return nil, nil, wire.Errorf(wire.CodeInvalid, "at most %d %s", maxImages, field)
		}
		imgs := make([][]byte, len(enc))
		for i, s := range enc {
			b, err := base64.StdEncoding.DecodeString(s)
			if err != nil {
				return nil, nil, badBody(err, fmt.Sprintf("%s[%d] is not base64", field, i))
			}
			imgs[i] = b
		}
		return imgs, nil, nil
	default:
		return nil, nil, wire.Errorf(wire.CodeInvalid, "send multipart/form-data or application/json, not %q", ct)
	}
}

func badBody(err error, msg string) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return err
	}
	return &wire.Error{Code: wire.CodeInvalid, Message: msg, Err: err}
}

type enrollJSON struct {
	EmployeeID string `json:"employee_id"`
	SiteID     string `json:"site_id"`
	Consent    struct {
		By      string `json:"by"`
		Purpose string `json:"purpose"`
	} `json:"consent"`
}

func (h *Handler) enroll(w http.ResponseWriter, r *http.Request) error {
	var in enrollJSON
	photos, fields, err := readImages(w, r, h.maxRequest(MaxPhotos), "photos", MaxPhotos, &in)
	if err != nil {
		return err
	}
	if fields != nil {
		in.EmployeeID, in.SiteID = fields["employee_id"], fields["site_id"]
		in.Consent.By, in.Consent.Purpose = fields["consent_by"], fields["consent_purpose"]
	}
	if r.URL.Query().Get("dry_run") == "true" {
		// The photos judged, nothing stored: a console shows each
		// verdict before the enrolment.
		if err := checkID("site_id", in.SiteID); err != nil {
			return err
		}
		if len(photos) == 0 || len(photos) > MaxPhotos {
			return wire.Errorf(wire.CodeInvalid, "send 1 to %d photos, not %d", MaxPhotos, len(photos))
		}
		checks, _, err := h.svc.CheckPhotos(r.Context(), in.SiteID, photos)
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, map[string]any{"photos": checks})
	}
	res, err := h.svc.Enroll(r.Context(), EnrollRequest{EmployeeID: in.EmployeeID, SiteID: in.SiteID, Photos: photos,
		ConsentBy: in.Consent.By, Purpose: in.Consent.Purpose})
	var pe *PhotoError
	if errors.As(err, &pe) {
		// The refusal says which photos to replace.
		var body struct {
			wire.ErrorBody
			Photos []PhotoCheck `json:"photos"`
		}
		body.Error.Code, body.Error.Message, body.Photos = wire.CodeInvalid, pe.Error(), pe.Photos
		return writeJSON(w, wire.CodeInvalid.HTTPStatus(), body)
	}
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, res)
}

func (h *Handler) employee(w http.ResponseWriter, r *http.Request) error {
	e, err := h.svc.Employee(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, e)
}

func (h *Handler) deleteEmployee(w http.ResponseWriter, r *http.Request) error {
	res, err := h.svc.DeleteEmployee(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, res)
}

func (h *Handler) audit(w http.ResponseWriter, r *http.Request) error {
	rec, err := h.svc.Audit(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, rec)
}

// kioskIDs reads the site and kiosk from headers, falling back to the query.
func kioskIDs(r *http.Request) (site, kiosk string) {
	site, kiosk = r.Header.Get("X-Site-ID"), r.Header.Get("X-Kiosk-ID")
	if site == "" {
		site = r.URL.Query().Get("site")
	}
	if kiosk == "" {
		kiosk = r.URL.Query().Get("kiosk")
	}
	return site, kiosk
}

func (h *Handler) identify(w http.ResponseWriter, r *http.Request, dev *Device) error {
	if enc := r.Header.Get("Content-Encoding"); enc != "" && enc != "identity" {
		return wire.Errorf(wire.CodeInvalid, "Content-Encoding %q is not accepted; send the JPEG as is", enc)
	}
	lim := h.svc.cfg.Limits.MaxBytes
	if r.ContentLength > lim {
		return wire.Errorf(wire.CodeTooLarge, "image is %d bytes; at most %d", r.ContentLength, lim)
	}
	site, kiosk := kioskIDs(r)
	site, kiosk, err := bind(dev, site, kiosk)
	if err != nil {
		return err
	}
	// Refuse a flood before reading its body.
	if err := checkID("site id (X-Site-ID or ?site=)", site); err != nil {
		return err
	}
	if err := checkID("kiosk id (X-Kiosk-ID or ?kiosk=)", kiosk); err != nil {
		return err
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, lim))
	if err != nil {
		return badBody(err, "could not read the body")
	}
	res, err := h.svc.Identify(r.Context(), IdentifyRequest{SiteID: site, KioskID: kiosk, JPEG: body})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, res)
}

type livenessJSON struct {
	SiteID  string `json:"site_id"`
	KioskID string `json:"kiosk_id"`
}

func (h *Handler) liveness(w http.ResponseWriter, r *http.Request, dev *Device) error {
	var in livenessJSON
	maxF := h.svc.cfg.Liveness.MaxFrames
	frames, fields, err := readImages(w, r, h.maxRequest(maxF), "frames", maxF, &in)
	if err != nil {
		return err
	}
	if fields != nil {
		in.SiteID, in.KioskID = fields["site_id"], fields["kiosk_id"]
	}
	// The headers and the body must both name the signer, if they do.
	site, kiosk := kioskIDs(r)
	site, kiosk, err = bind(dev, site, kiosk)
	if err != nil {
		return err
	}
	if in.SiteID, in.KioskID, err = bind(dev, in.SiteID, in.KioskID); err != nil {
		return err
	}
	if in.SiteID == "" {
		in.SiteID = site
	}
	if in.KioskID == "" {
		in.KioskID = kiosk
	}
	res, err := h.svc.Liveness(r.Context(), LivenessRequest{SiteID: in.SiteID, KioskID: in.KioskID, Frames: frames})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, res)
}
