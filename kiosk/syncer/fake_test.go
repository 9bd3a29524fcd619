package syncer_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"
	_ "time/tzdata" // the fake punchd's zone database, in Chromium too

	"punchclock/app/attendance"
	"punchclock/app/wire"
	"punchclock/kiosk/syncer"
)

// fakeServer implements the device side of the wire contract the way punchd
// must: it checks every request's Authorization and every punch's signature
// and chain with ed25519, stores punches by id (so a resent punch is a
// duplicate), and answers per punch. Failures are injected per test.
type fakeServer struct {
	t     *testing.T
	clock func() time.Time // the server's clock

	mu          sync.Mutex
	devices     map[string]ed25519.PublicKey
	bodies      map[string][]byte // stored punch bodies by id
	hashes      map[uint64]string // chain hash by seq
	stores      int               // punches stored, duplicates excluded
	batches     [][]string        // ids of each batch received
	pulls       []string          // cursors of each pull received
	stale       int               // requests answered stale
	now         time.Time         // the server's time of the request being served
	decided     []string          // ids of the decisions received
	closedFlows map[string]bool   // flows someone else closed
	healths     []wire.Health     // health reports received

	// Failure injection.
	failNext   []int                         // statuses answered before looking at the request
	abortAfter int                           // store this many punches of the next batch, then drop the connection
	verdicts   map[string][]wire.PunchResult // by employee id: answers to give, one per attempt
	rawFail    map[int]string                // status -> non-JSON body (a proxy's error page)

	// Pull state: employees carry the version they changed at; the cursor
	// is the latest version.
	version     int64
	site        attendance.Site
	employees   []attendance.Employee
	revoked     bool
	noETag      bool // answer without ETag, so never 304
	notModified int  // 304s sent
}

// pathEcho answers the content type and size of what it was sent.
const pathEcho = "/api/v1/device/echo"

func newFakeServer(t *testing.T, clock func() time.Time) *fakeServer {
	return &fakeServer{
		t: t, clock: clock,
		devices:  map[string]ed25519.PublicKey{},
		bodies:   map[string][]byte{},
		hashes:   map[uint64]string{},
		verdicts: map[string][]wire.PunchResult{},
		rawFail:  map[int]string{},
		version:  1,
		site:     attendance.Site{ID: "site-1", Name: "Store 1", Zone: "Asia/Shanghai", Version: 1, ZoneRules: shanghaiRules()},
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, code wire.Code, msg string) {
	var b wire.ErrorBody
	b.Error.Code, b.Error.Message = code, msg
	writeJSON(w, code.HTTPStatus(), b)
}

func (f *fakeServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	auth, err := wire.ParseDeviceAuth(r.Header.Get("Authorization"))
	if err != nil {
		f.t.Errorf("fake: %s %s: %v", r.Method, r.URL, err)
		writeError(w, wire.CodeUnauthorized, err.Error())
		return
	}
	pub, ok := f.devices[auth.DeviceID]
	if !ok {
		writeError(w, wire.CodeUnauthorized, "unknown device")
		return
	}
	if !auth.Verify(pub, r.Method, r.URL.RequestURI(), body) {
		f.t.Errorf("fake: %s %s: request signature does not verify", r.Method, r.URL.RequestURI())
		writeError(w, wire.CodeUnauthorized, "bad signature")
		return
	}
	// The server reads its clock once per request: the kiosk's fake clock
	// advances at every reading, and the tests know how many there are.
	f.now = f.clock()
	if now := f.now; !auth.Fresh(now) {
		f.stale++
		var b wire.ErrorBody
		b.Error.Code, b.Error.Message, b.ServerTime = wire.CodeStale, "stale", now
		writeJSON(w, wire.CodeStale.HTTPStatus(), b)
		return
	}
	if len(f.failNext) > 0 {
		status := f.failNext[0]
		f.failNext = f.failNext[1:]
		if page, ok := f.rawFail[status]; ok {
			w.WriteHeader(status)
			io.WriteString(w, page)
			return
		}
		for _, c := range wire.Codes {
			if c.HTTPStatus() == status {
				writeError(w, c, "injected")
				return
			}
		}
		writeError(w, wire.CodeInternal, "injected")
		return
	}
	switch {
	case r.Method == http.MethodPost && r.URL.Path == syncer.PathPunches:
		f.batch(w, auth, pub, body)
	case r.Method == http.MethodPost && r.URL.Path == syncer.PathDecisions:
		var req struct{ Decisions []wire.KioskDecision }
		json.Unmarshal(body, &req)
		var out struct {
			Results []wire.DecisionResult `json:"results"`
		}
		for _, d := range req.Decisions {
			f.decided = append(f.decided, d.ID)
			res := wire.DecisionResult{ID: d.ID, Status: "accepted", State: "approved"}
			if f.closedFlows[d.FlowID] {
				res = wire.DecisionResult{ID: d.ID, Status: "conflict", State: "rejected", Code: wire.CodeConflict}
			}
			out.Results = append(out.Results, res)
		}
		writeJSON(w, http.StatusOK, out)
	case r.Method == http.MethodPost && r.URL.Path == "/api/v1/device/health":
		var h wire.Health
		if err := json.Unmarshal(body, &h); err != nil {
			writeError(w, wire.CodeInvalid, err.Error())
			return
		}
		f.healths = append(f.healths, h)
		writeJSON(w, http.StatusOK, map[string]any{"server_time": f.now})
	case r.Method == http.MethodGet && r.URL.Path == syncer.PathPull:
		f.pull(w, r.URL.Query().Get("cursor"), r.Header.Get("If-None-Match"))
	case r.Method == http.MethodPost && r.URL.Path == pathEcho:
		writeJSON(w, http.StatusOK, map[string]any{"type": r.Header.Get("Content-Type"), "size": len(body)})
	default:
		writeError(w, wire.CodeNotFound, "no route")
	}
}

func (f *fakeServer) batch(w http.ResponseWriter, auth wire.DeviceAuth, pub ed25519.PublicKey, body []byte) {
	var req wire.BatchRequest
	if err := json.Unmarshal(body, &req); err != nil {
		writeError(w, wire.CodeInvalid, err.Error())
		return
	}
	if req.Protocol != wire.ProtocolVersion || req.DeviceID != auth.DeviceID || req.SentAt.IsZero() {
		f.t.Errorf("fake: batch header %+v from %s", req, auth.DeviceID)
	}
	if len(req.Punches) > syncer.MaxBatch {
		f.t.Errorf("fake: batch of %d punches, more than %d", len(req.Punches), syncer.MaxBatch)
	}
	resp := wire.BatchResponse{Protocol: wire.ProtocolVersion, ServerTime: f.now}
	var ids []string
	for i, sp := range req.Punches {
		if f.abortAfter > 0 && i == f.abortAfter {
			// The server stored part of the batch, then died: the client
			// gets no answer at all.
			f.abortAfter = 0
			f.batches = append(f.batches, ids)
			panic(http.ErrAbortHandler)
		}
		var p attendance.Punch
		if err := json.Unmarshal(sp.Body, &p); err != nil || !ed25519.Verify(pub, sp.Body, sp.Sig) {
			f.t.Errorf("fake: punch %d: bad body or signature (%v)", i, err)
			resp.Results = append(resp.Results, wire.PunchResult{ID: p.ID, Status: wire.StatusRejected, Code: wire.CodeInvalid, Message: "bad signature"})
			continue
		}
		ids = append(ids, p.ID)
		res := wire.PunchResult{ID: p.ID, Seq: p.Seq}
		if stored, ok := f.bodies[p.ID]; ok {
			if !bytes.Equal(stored, sp.Body) {
				f.t.Errorf("fake: punch %s resent with a different body", p.ID)
			}
			res.Status = wire.StatusDuplicate
			resp.Results = append(resp.Results, res)
			continue
		}
		if vs := f.verdicts[p.EmployeeID]; len(vs) > 0 {
			f.verdicts[p.EmployeeID] = vs[1:]
			v := vs[0]
			v.ID, v.Seq = p.ID, p.Seq
			if v.Status != wire.StatusAccepted {
				resp.Results = append(resp.Results, v)
				continue
			}
		}
		if prev, ok := f.hashes[p.Seq-1]; ok && prev != p.Prev {
			f.t.Errorf("fake: punch %s seq %d: prev %s, want %s", p.ID, p.Seq, p.Prev, prev)
		}
		if err := p.Validate(); err != nil {
			f.t.Errorf("fake: punch %s: %v", p.ID, err)
		}
		f.bodies[p.ID] = sp.Body
		f.hashes[p.Seq] = wire.HashBody(sp.Body)
		f.stores++
		res.Status = wire.StatusAccepted
		resp.Results = append(resp.Results, res)
	}
	f.batches = append(f.batches, ids)
	writeJSON(w, http.StatusOK, resp)
}

// pull answers as punchd does: 304 only to a conditional request whose
// ETag and cursor are current, else the changes since cursor (maybe none).
func (f *fakeServer) pull(w http.ResponseWriter, cursor, ifNoneMatch string) {
	f.pulls = append(f.pulls, cursor)
	cur := strconv.FormatInt(f.version, 10)
	if f.revoked {
		writeJSON(w, http.StatusOK, wire.PullResponse{Protocol: wire.ProtocolVersion, Cursor: cur, ServerTime: f.now, DeviceRevoked: true})
		return
	}
	etag := `"v` + cur + `"`
	if f.noETag {
		etag = ""
	} else {
		w.Header().Set("ETag", etag)
	}
	if ifNoneMatch != "" && ifNoneMatch == etag && cursor == cur {
		f.notModified++
		w.WriteHeader(http.StatusNotModified)
		return
	}
	resp := wire.PullResponse{Protocol: wire.ProtocolVersion, Cursor: cur, ServerTime: f.now}
	since, err := strconv.ParseInt(cursor, 10, 64)
	if err != nil { // no or unknown cursor: everything
		site := f.site
		resp.Full, resp.Site, resp.Employees = true, &site, f.employees
		resp.Rules = json.RawMessage(`{"grace_minutes":5}`)
	} else {
		for _, e := range f.employees {
			if e.Version > since {
				resp.Employees = append(resp.Employees, e)
			}
		}
	}
	writeJSON(w, http.StatusOK, resp)
}

// stored returns how many punches the server stored and the batches it got.
func (f *fakeServer) stored() (int, [][]string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.stores, append([][]string(nil), f.batches...)
}

func (f *fakeServer) set(fn func(f *fakeServer)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f)
}

// shanghaiRules are the zone rules punchd sends with the site.
func shanghaiRules() []byte {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return attendance.ZoneRules(loc)
}
