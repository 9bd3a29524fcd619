package pages

// Face punching, the part that needs no browser: the client of the site's
// face service (facematchd), one face attempt as a loop over frames and
// verdicts, the face punch through the outbox, and the motion check that
// starts an attempt on its own. faceui.go wires it to the camera and the
// screen.

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"punchclock/app/attendance"
	"punchclock/app/wire"
	"punchclock/kiosk/outbox"
	"punchclock/kiosk/syncer"
)

// Face service paths, relative to the site's face_url.
const (
	PathFaceHealth   = "/api/v1/health"
	PathFaceIdentify = "/api/v1/identify"
	PathFaceLiveness = "/api/v1/liveness"
)

// The verdicts of the face service (facematch.Verdict; the kiosk must not
// import server code).
const (
	VerdictMatch     = "match"
	VerdictUnknown   = "unknown"
	VerdictNotSure   = "not_sure"
	VerdictNoFace    = "no_face"
	VerdictManyFaces = "many_faces"
	VerdictNotLive   = "not_live"
)

// ErrFaceUnreachable wraps every failure to reach the face service (refused
// connection, timeout, a proxy's page instead of the service's JSON): the
// kiosk then says face punching is unavailable and points at the badge and
// the phone QR.
var ErrFaceUnreachable = errors.New("pages: face service unreachable")

// FaceHealth is what the face service's health check says.
type FaceHealth struct {
	Status string `json:"status"`
	// Liveness is "required" when the service refuses single frames and
	// wants a head turn, "offered" (or empty, from an older service) when
	// single-frame identification is allowed.
	Liveness string `json:"liveness"`
}

// FaceResult is a verdict of the face service. The kiosk never sees
// distances: the verdict id and the audit record sealed for punchd (which
// the kiosk cannot open) go into the punch's evidence.
type FaceResult struct {
	VerdictID  string `json:"verdict_id,omitempty"`
	Verdict    string `json:"verdict"`
	EmployeeID string `json:"employee_id,omitempty"`
	Reason     string `json:"reason,omitempty"`
	Audit      string `json:"audit,omitempty"`
}

// faceClient talks to one site's face service. Identify and liveness are
// signed with the kiosk's device key, as its requests to punchd are: the
// service knows the enrolled kiosks from punchd and takes no one else's
// frames. Health is not signed.
type faceClient struct {
	doer  syncer.Doer
	base  string // face_url without the trailing slash
	site  string
	kiosk string // the device id: the service rate-limits per kiosk
	key   ed25519.PrivateKey
	// clock is the device clock, the one the syncer signs punchd's
	// requests with.
	clock func() time.Time
}

// post makes a signed POST of body to the API path (signed as the path
// alone, like the syncer's requests: a face_url with a prefix behind a
// proxy signs the same).
func (c *faceClient) post(ctx context.Context, path, ctype string, body []byte) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+path, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrFaceUnreachable, err)
	}
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("X-Site-ID", c.site)
	req.Header.Set("X-Kiosk-ID", c.kiosk)
	req.Header.Set("Authorization", wire.SignRequest(c.kiosk, c.key, http.MethodPost, path, c.clock(), body))
	return req, nil
}

// retryAfter is a rate_limited answer: wait, then send the next frame.
type retryAfter struct {
	wait time.Duration
	err  error
}

func (r *retryAfter) Error() string { return r.err.Error() }
func (r *retryAfter) Unwrap() error { return r.err }

// do sends req and decodes a 200 answer into out. Anything but the
// service's JSON (a refused connection, a timeout, a captive portal's
// page) wraps ErrFaceUnreachable; the service's error envelope comes back
// as a *wire.Error, inside a *retryAfter for rate_limited.
func (c *faceClient) do(req *http.Request, out any) error {
	resp, err := c.doer.Do(req)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrFaceUnreachable, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("%w: %w", ErrFaceUnreachable, err)
	}
	if resp.StatusCode != http.StatusOK {
		var eb wire.ErrorBody
		if json.Unmarshal(data, &eb) != nil || eb.Error.Code == "" {
			return fmt.Errorf("%w: HTTP %d", ErrFaceUnreachable, resp.StatusCode)
		}
		werr := &wire.Error{Code: eb.Error.Code, Message: eb.Error.Message}
		if werr.Code == wire.CodeRateLimited {
			s, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
			return &retryAfter{wait: time.Duration(max(s, 1)) * time.Second, err: werr}
		}
		return werr
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("%w: answer is not the face service's JSON: %w", ErrFaceUnreachable, err)
	}
	return nil
}

// health asks whether the service answers.
func (c *faceClient) health(ctx context.Context) (FaceHealth, error) {
	var h FaceHealth
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+PathFaceHealth, nil)
	if err != nil {
		return h, fmt.Errorf("%w: %w", ErrFaceUnreachable, err)
	}
	if err := c.do(req, &h); err != nil {
		return h, err
	}
	if h.Status != "ok" {
		return h, fmt.Errorf("%w: status %q", ErrFaceUnreachable, h.Status)
	}
	return h, nil
}

// identify sends one JPEG frame.
func (c *faceClient) identify(ctx context.Context, jpeg []byte) (FaceResult, error) {
	var r FaceResult
	req, err := c.post(ctx, PathFaceIdentify, "image/jpeg", jpeg)
	if err != nil {
		return r, err
	}
	return r, c.do(req, &r)
}

// liveness sends the frames of a head turn.
func (c *faceClient) liveness(ctx context.Context, frames [][]byte) (FaceResult, error) {
	var r FaceResult
	enc := make([]string, len(frames))
	for i, f := range frames {
		enc[i] = base64.StdEncoding.EncodeToString(f)
	}
	body, err := json.Marshal(map[string]any{"site_id": c.site, "kiosk_id": c.kiosk, "frames": enc})
	if err != nil {
		return r, err
	}
	req, err := c.post(ctx, PathFaceLiveness, "application/json", body)
	if err != nil {
		return r, err
	}
	return r, c.do(req, &r)
}

// faceMixedContent reports whether a page at pageURL cannot call the face
// service at faceURL: browsers block http:// requests from an https://
// page (mixed content) without telling the page why, so the kiosk says so
// itself instead of "unavailable". Loopback addresses are exempt, as the
// browsers treat them as secure.
func faceMixedContent(pageURL, faceURL string) bool {
	p, err := url.Parse(pageURL)
	if err != nil || p.Scheme != "https" {
		return false
	}
	f, err := url.Parse(faceURL)
	if err != nil || f.Scheme != "http" {
		return false
	}
	host := f.Hostname()
	if ip, err := netip.ParseAddr(host); err == nil {
		return !ip.IsLoopback()
	}
	return host != "localhost" && !strings.HasSuffix(host, ".localhost")
}

// Pacing and patience of a face attempt.
const (
	// faceEvery is the least time between two frames sent: at most two a
	// second. One dlib extraction takes 150 to 250 ms on the store's small
	// server, which may serve several kiosks, and a person settles in
	// front of the camera within a second or two anyway.
	faceEvery = 500 * time.Millisecond
	// faceFrames is how many frames a tapped attempt sends before it gives
	// up (about five seconds), faceAutoFrames one started by motion (two
	// seconds: a passer-by costs the service little).
	faceFrames     = 10
	faceAutoFrames = 4
	// faceUnknowns and faceNotSures are how many such verdicts end an
	// attempt: one blurred frame may give "unknown", three in a row say
	// the face is not enrolled; "not sure" is rarer and means two enrolled
	// people look alike, so two settle it.
	faceUnknowns = 3
	faceNotSures = 2
	// livenessFrames is how many frames of a head turn go to the liveness
	// check (the service takes 3 to 8), faceEvery apart: 2.5 s of turning.
	livenessFrames = 5
	// faceTimeout bounds one request; the service answers in a few hundred
	// milliseconds when it is well.
	faceTimeout = 6 * time.Second
)

// faceAttempt is one face punch attempt: frames in, a verdict out.
type faceAttempt struct {
	client *faceClient
	// grab returns the camera's current frame as a JPEG.
	grab func(ctx context.Context) ([]byte, error)
	// wait pauses for the pacing between frames (a timer in the browser).
	wait func(ctx context.Context, d time.Duration) error
	// step shows a message key on the face guide while the attempt runs.
	step     func(key string)
	clock    func() time.Time
	liveness bool // the site's service requires the head turn
	auto     bool // started by motion, not by a tap
}

// faceEnd is how an attempt ended.
type faceEnd struct {
	// Result is the last verdict; a match is to be punched.
	Result FaceResult
	// Notice is the message key to show when there is no match ("" for an
	// automatic attempt that never saw a face: nobody is told anything).
	Notice string
	Err    error
	// Frames is how many frames were sent, First when the first was grabbed.
	Frames int
	First  time.Time
	// Liveness is set when the service asked for the head turn although
	// the kiosk thought it offered single frames (its setting changed).
	Liveness bool
}

// errNoPicture is a grab before the camera shows anything.
var errNoPicture = errors.New("pages: the camera shows no picture yet")

// fail ends the attempt on err: "unavailable" when the service could not
// be reached, the error otherwise, and nothing when ctx ended (a badge was
// read, the page left).
func (e *faceEnd) fail(ctx context.Context, err error) {
	e.Err, e.Notice = err, "face.error"
	switch {
	case ctx.Err() != nil:
		e.Notice = ""
	case errors.Is(err, ErrFaceUnreachable):
		e.Notice = "face.down"
	}
}

// pace waits until faceEvery has passed since *last (the previous frame),
// then sets *last to now: the face service gets at most one frame per
// faceEvery from a kiosk.
func (a *faceAttempt) pace(ctx context.Context, last *time.Time) error {
	if d := faceEvery - a.clock().Sub(*last); !last.IsZero() && d > 0 {
		if err := a.wait(ctx, d); err != nil {
			return err
		}
	}
	*last = a.clock()
	return nil
}

// run runs the attempt until a match, a decisive verdict, an error, the
// frame budget or ctx's end.
func (a *faceAttempt) run(ctx context.Context) faceEnd {
	if a.liveness {
		return a.runLiveness(ctx)
	}
	var end faceEnd
	budget := faceFrames
	if a.auto {
		budget = faceAutoFrames
	}
	unknowns, notSure, many, faces := 0, 0, false, false
	var last time.Time
	for try := 0; try < budget; try++ {
		if err := a.pace(ctx, &last); err != nil {
			end.Err = err
			return end
		}
		jpeg, err := a.grab(ctx)
		switch {
		case errors.Is(err, errNoPicture):
			// The camera is starting: like a frame without a face.
			a.step("face.look")
			continue
		case err != nil:
			end.fail(ctx, err)
			return end
		}
		if end.Frames == 0 {
			end.First = last
		}
		end.Frames++
		cctx, cancel := context.WithTimeout(ctx, faceTimeout)
		res, err := a.client.identify(cctx, jpeg)
		cancel()
		var ra *retryAfter
		switch {
		case errors.As(err, &ra):
			// The service is busy with other kiosks: this frame did not
			// count against the person.
			end.Frames--
			try--
			if err := a.wait(ctx, min(ra.wait, 3*time.Second)); err != nil {
				end.Err = err
				return end
			}
			continue
		case wire.CodeOf(err) == wire.CodeLivenessRequired && ctx.Err() == nil:
			// The service now requires the head turn.
			a.liveness = true
			le := a.runLiveness(ctx)
			le.Liveness = true
			le.Frames += end.Frames
			if !end.First.IsZero() {
				le.First = end.First
			}
			return le
		case err != nil:
			end.fail(ctx, err)
			return end
		}
		end.Result = res
		switch res.Verdict {
		case VerdictMatch:
			return end
		case VerdictNoFace:
			a.step("face.look")
		case VerdictManyFaces:
			faces, many = true, true
			a.step("face.one")
		case VerdictUnknown:
			faces = true
			if unknowns++; unknowns >= faceUnknowns {
				end.Notice = "face.unknown"
				return end
			}
			a.step("face.look")
		case VerdictNotSure:
			faces = true
			if notSure++; notSure >= faceNotSures {
				end.Notice = "face.notSure"
				return end
			}
			a.step("face.look")
		case VerdictNotLive:
			end.Notice = "face.notLive"
			return end
		default:
			end.Err, end.Notice = fmt.Errorf("pages: unknown face verdict %q", res.Verdict), "face.error"
			return end
		}
	}
	switch {
	case unknowns > 0:
		end.Notice = "face.unknown"
	case notSure > 0:
		end.Notice = "face.notSure"
	case many:
		end.Notice = "face.many"
	case !faces && !a.auto:
		end.Notice = "face.noFace"
	}
	return end
}

// runLiveness asks for a small head turn, takes livenessFrames frames
// faceEvery apart and sends them to the liveness check, which identifies
// too. A tapped attempt gets a second go after "not live".
func (a *faceAttempt) runLiveness(ctx context.Context) faceEnd {
	var end faceEnd
	rounds := 2
	if a.auto {
		rounds = 1
	}
	for round := 0; round < rounds; round++ {
		a.step("face.turn")
		frames := make([][]byte, 0, livenessFrames)
		var last time.Time
		for blank := 0; len(frames) < livenessFrames; {
			if err := a.pace(ctx, &last); err != nil {
				end.Err = err
				return end
			}
			jpeg, err := a.grab(ctx)
			switch {
			case errors.Is(err, errNoPicture) && blank < faceFrames:
				// The camera is starting: wait for it.
				blank++
				continue
			case err != nil:
				end.fail(ctx, err)
				return end
			}
			if end.Frames == 0 {
				end.First = last
			}
			end.Frames++
			frames = append(frames, jpeg)
		}
		a.step("face.checking")
		cctx, cancel := context.WithTimeout(ctx, 2*faceTimeout)
		res, err := a.client.liveness(cctx, frames)
		cancel()
		var ra *retryAfter
		switch {
		case errors.As(err, &ra) && round+1 < rounds:
			if err := a.wait(ctx, min(ra.wait, 3*time.Second)); err != nil {
				end.Err = err
				return end
			}
			continue
		case err != nil:
			end.fail(ctx, err)
			return end
		}
		end.Result = res
		switch res.Verdict {
		case VerdictMatch:
			return end
		case VerdictNotLive:
			end.Notice = "face.notLive"
			continue
		case VerdictNoFace:
			end.Notice = "face.noFace"
			if a.auto {
				end.Notice = ""
			}
		case VerdictManyFaces:
			end.Notice = "face.many"
		case VerdictUnknown:
			end.Notice = "face.unknown"
		case VerdictNotSure:
			end.Notice = "face.notSure"
		default:
			end.Err, end.Notice = fmt.Errorf("pages: unknown face verdict %q", res.Verdict), "face.error"
		}
		return end
	}
	return end
}

// PunchFace records a face punch for the employee the face service
// matched, with the verdict id and its sealed audit record as evidence, and returns what to show. It
// takes the badge's path through the outbox (signature, chain, dedup
// window, syncer kick). An employee missing from the cached roster is
// still recorded (the roster may be older than the face gallery; the
// server decides); one who has left is refused.
func (e *Env) PunchFace(ctx context.Context, res FaceResult) Confirmation {
	verdictID, employeeID := res.VerdictID, res.EmployeeID
	c := Confirmation{Method: attendance.MethodFace}
	_, loc, err := e.Site(ctx)
	if err != nil {
		c.Outcome, c.Err = Failed, err
		return c
	}
	if strings.TrimSpace(employeeID) == "" || strings.TrimSpace(verdictID) == "" {
		c.Outcome, c.Err = Failed, errors.New("pages: the face service matched nobody")
		return c
	}
	roster, err := e.Roster(ctx)
	if err != nil {
		c.Outcome, c.Err = Failed, err
		return c
	}
	emp, known := roster[employeeID]
	if !known {
		emp = attendance.Employee{ID: employeeID, Name: employeeID, Active: true}
	}
	c.Employee = emp
	if !emp.ActiveAt(e.Now(ctx), loc) {
		c.Outcome = InactiveBadge
		return c
	}
	p := attendance.Punch{EmployeeID: employeeID, Method: attendance.MethodFace, Evidence: attendance.Evidence{FaceID: verdictID, FaceAudit: res.Audit}}
	entry, err := e.Outbox.Record(ctx, p)
	switch {
	case errors.Is(err, outbox.ErrRecentDuplicate):
		c.Outcome = Duplicate
		c.At = punchTime(entry.Punch).In(loc)
		return c
	case err != nil:
		c.Outcome, c.Err = Failed, err
		return c
	}
	c.Outcome = Recorded
	c.At = punchTime(entry.Punch).In(loc)
	c.Direction, c.LateMin = e.direction(ctx, emp, entry.ID, loc)
	if s := e.Syncer(); s != nil {
		s.KickPush()
	}
	e.notify()
	return c
}

// Motion check. The camera loop already has every frame's pixels for the
// badge decoder; a coarse grid of their brightness says when someone steps
// in front of a scene that was still, which starts a face attempt without
// a tap (hands full at shift change). Only then are frames sent: an empty
// entrance costs the face service nothing.
const (
	motionCols, motionRows = 16, 12
	// motionStill is the mean change per cell (0 to 255) below which the
	// scene counts as still (sensor noise is 1 to 2), motionMove the change
	// that counts as someone arriving.
	motionStill = 3
	motionMove  = 8
	// motionArmed is how many still frames in a row (about a second) come
	// before an arrival counts, so the camera's start, a person lingering
	// after an attempt, or a crowd in motion do not start attempt after
	// attempt.
	motionArmed = 10
	// motionDark is the mean brightness below which the camera is covered
	// or the light is off: no face could be read.
	motionDark = 25
)

// motion detects arrivals in a stream of RGBA frames.
type motion struct {
	prev  [motionCols * motionRows]uint8
	have  bool
	still int
}

// update takes a frame (RGBA, w×h) and reports whether someone arrived:
// a clear change after a still second, in a lit scene.
func (m *motion) update(rgba []byte, w, h int) bool {
	if w < motionCols || h < motionRows || len(rgba) < w*h*4 {
		return false
	}
	var cur [motionCols * motionRows]uint8
	var diff, sum int
	for r := range motionRows {
		for c := range motionCols {
			// The mean of four pixels around the cell's centre: cheap, and
			// steadier than one.
			x, y := (2*c+1)*w/(2*motionCols), (2*r+1)*h/(2*motionRows)
			var l int
			for _, d := range [][2]int{{0, 0}, {1, 0}, {0, 1}, {1, 1}} {
				i := (min(y+d[1], h-1)*w + min(x+d[0], w-1)) * 4
				l += (299*int(rgba[i]) + 587*int(rgba[i+1]) + 114*int(rgba[i+2])) / 1000
			}
			v := uint8(l / 4)
			k := r*motionCols + c
			cur[k] = v
			sum += int(v)
			if m.have {
				d := int(v) - int(m.prev[k])
				diff += max(d, -d)
			}
		}
	}
	had := m.have
	m.prev, m.have = cur, true
	if !had {
		return false
	}
	n := motionCols * motionRows
	change := diff / n
	switch {
	case change < motionStill:
		m.still++
		return false
	case change >= motionMove && m.still >= motionArmed && sum/n >= motionDark:
		m.still = 0
		return true
	default:
		m.still = 0
		return false
	}
}
