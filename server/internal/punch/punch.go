// Package punch ingests signed punch batches from devices: it checks
// signatures and the per-device hash chain, resolves badges to employees,
// corrects device clocks, and stores each punch exactly once.
//
// Idempotency: a punch is keyed by its device-made UUIDv7 forever, so a
// retried or replayed batch answers "duplicate" per punch and changes
// nothing. A punch is either stored whole or not at all; a refused punch
// changes nothing and is answered with a stable code so the kiosk can park
// it where the manager sees it.
//
// Signatures: every punch is signed by its device, and each punch's body
// holds the hash of the previous one. A contiguous run of punches whose
// hash links check out is authenticated by verifying the signature of its
// last punch only (that signature covers the whole run through the
// links); where a link breaks, punches are verified one by one. This keeps
// Ed25519 verification (about 50 µs each here) off the per-punch cost of
// large batches without weakening what is checked.
package punch

import (
	"bytes"
	"cmp"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"image/jpeg"
	"io"
	"slices"
	"sync"
	"time"

	"punchclock/app/attendance"
	"punchclock/app/nfctag"
	"punchclock/app/token"
	"punchclock/app/wire"
	"punchclock/server/internal/facematch"
	"punchclock/server/internal/sigcheck"
	"punchclock/server/internal/store"
	"punchclock/server/internal/tagkey"
)

// Service ingests punches.
type Service struct {
	Store store.Store
	// Now is the server clock, read once per batch.
	Now func() time.Time
	// FaceAuditKey opens the verdicts the sites' face services seal for
	// the server (facematch.SealAudit). Without it, face punches are
	// accepted on the kiosk's word and flagged face_unverified.
	FaceAuditKey []byte
	// TagKeys check the signed badge tokens of NFC tags (nil: an nfc
	// punch carrying one is refused, as nothing can vouch for it).
	TagKeys *tagkey.Keys

	roster roster
}

// New returns a Service on st with the given clock.
func New(st store.Store, now func() time.Time) *Service {
	return &Service{Store: st, Now: now}
}

// item is one punch of a batch as it goes through the checks.
type item struct {
	idx    int
	sp     wire.SignedPunch
	p      attendance.Punch
	hash   string
	parsed bool
	authed bool
	result wire.PunchResult
	done   bool // result final before the transaction
	stored store.StoredPunch
	qr     *store.QRUse // the rotating-QR token use of a phone punch
	// expired is a genuine QR token past its age: refused in decide, unless
	// the employee already punched with it, which is the better answer.
	expired bool
}

func (it *item) reject(code wire.Code, format string, args ...any) {
	it.result.Status = wire.StatusRejected
	it.result.Code = code
	it.result.Message = fmt.Sprintf(format, args...)
	it.done = true
}

// Errors decide returns to abort a transaction.
var (
	errRevoked     = errors.New("punch: device revoked")
	errStaleRoster = errors.New("punch: roster changed since the punches were judged")
	errNeedLookup  = errors.New("punch: the batch reaches below the chain head")
)

// IngestByID loads the device and ingests its batch; for callers that have
// not authenticated a request (tools, the demo seed, tests).
func (s *Service) IngestByID(ctx context.Context, deviceID string, req wire.BatchRequest) (wire.BatchResponse, error) {
	dev, err := s.Store.Device(ctx, deviceID)
	if errors.Is(err, store.ErrNotFound) {
		return wire.BatchResponse{}, wire.Errorf(wire.CodeUnauthorized, "unknown device %q", deviceID)
	} else if err != nil {
		return wire.BatchResponse{}, store.Coded(err)
	}
	return s.Ingest(ctx, dev, req, "")
}

// Ingest stores a batch from dev, the device the caller authenticated, sent
// from the client address addr. dev may come from a cache: the transaction
// reads the device again, refuses it if it was revoked since, and uses its
// current chain head.
func (s *Service) Ingest(ctx context.Context, dev attendance.Device, req wire.BatchRequest, addr string) (wire.BatchResponse, error) {
	now := s.Now().UTC()
	resp := wire.BatchResponse{Protocol: wire.ProtocolVersion, ServerTime: now}
	if req.Protocol < wire.MinProtocolVersion {
		return resp, wire.Errorf(wire.CodeInvalid, "protocol %d is older than the oldest supported (%d); update the kiosk", req.Protocol, wire.MinProtocolVersion)
	}
	if req.DeviceID != dev.ID {
		return resp, wire.Errorf(wire.CodeForbidden, "batch names device %q but is signed by %q", req.DeviceID, dev.ID)
	}
	if len(req.Punches) > wire.MaxBatch {
		return resp, wire.Errorf(wire.CodeTooLarge, "batch has %d punches; at most %d", len(req.Punches), wire.MaxBatch)
	}
	if dev.Revoked {
		return resp, wire.Errorf(wire.CodeUnauthorized, "device %s is revoked; enroll it again", dev.ID)
	}
	if req.SentAt.IsZero() {
		// Without it the server could not check any punch's est_time.
		return resp, wire.Errorf(wire.CodeInvalid, "sent_at is missing: the server measures the device's clock from it")
	}
	offset := now.Sub(req.SentAt).Truncate(time.Millisecond)
	resp.OffsetMS = offset.Milliseconds()

	items := make([]*item, len(req.Punches))
	for i, sp := range req.Punches {
		it := &item{idx: i, sp: sp, hash: wire.HashBody(sp.Body)}
		items[i] = it
		parse(it, dev.ID)
	}
	authenticate(items, ed25519.PublicKey(dev.PublicKey))
	// What follows depends on the roster; keep the state to judge again if
	// the roster turns out to have changed.
	authed := make([]item, len(items))
	for i, it := range items {
		authed[i] = *it
	}
	roster, err := s.roster.cached(ctx, s.Store)
	for attempt := 0; err == nil; attempt++ {
		kiosks := map[string]kioskInfo{}
		var live []*item
		for i, it := range items {
			*it = authed[i]
			if !it.done {
				s.judge(ctx, it, dev, roster, kiosks, offset, now)
				it.stored.Addr = addr
			}
			if !it.done {
				live = append(live, it)
			}
		}
		if len(live) == 0 && dev.OffsetMS == resp.OffsetMS {
			break
		}
		err = s.write(ctx, dev, live, roster.version, offset, now)
		if !errors.Is(err, errStaleRoster) || attempt == 3 {
			break
		}
		roster, err = s.roster.get(ctx, s.Store)
	}
	switch {
	case errors.Is(err, errRevoked):
		return resp, wire.Errorf(wire.CodeUnauthorized, "device %s is revoked; enroll it again", dev.ID)
	case err != nil:
		return resp, store.Coded(err)
	}
	resp.Results = make([]wire.PunchResult, len(items))
	for i, it := range items {
		resp.Results[i] = it.result
	}
	return resp, nil
}

// write runs the chain and idempotency decisions inside the store's
// transaction, in chain order. The first try looks up only what can exist,
// the punches at or below the device's chain head as dev knew it; if the
// head has moved past a punch of the batch since, or a new punch reuses a
// stored id or seq (the insert fails on a unique key), the second try
// looks everything up.
func (s *Service) write(ctx context.Context, dev attendance.Device, live []*item, rosterVersion int64, offset time.Duration, now time.Time) error {
	slices.SortStableFunc(live, func(a, b *item) int { return cmp.Compare(a.p.Seq, b.p.Seq) })
	var err error
	for _, full := range []bool{false, true} {
		err = s.Store.Ingest(ctx, dev.ID, lookupKeys(live, dev.LastSeq, full), func(v store.IngestView) (store.IngestPlan, error) {
			if v.Device.Revoked {
				return store.IngestPlan{}, errRevoked
			}
			if v.Version != rosterVersion {
				return store.IngestPlan{}, errStaleRoster
			}
			if !full {
				for _, it := range live {
					if it.p.Seq > dev.LastSeq && it.p.Seq <= v.Device.LastSeq {
						return store.IngestPlan{}, errNeedLookup
					}
				}
			}
			return decide(v, live, offset, now), nil
		})
		if !errors.Is(err, store.ErrConflict) && !errors.Is(err, errNeedLookup) {
			break
		}
	}
	return err
}

// parse decodes a punch body and checks the fields that do not need the
// database.
func parse(it *item, deviceID string) {
	if len(it.sp.Body) == 0 || len(it.sp.Sig) != ed25519.SignatureSize {
		it.reject(wire.CodeInvalid, "punch %d: body or signature missing", it.idx)
		return
	}
	dec := json.NewDecoder(bytes.NewReader(it.sp.Body))
	if err := dec.Decode(&it.p); err != nil {
		it.reject(wire.CodeInvalid, "punch %d: body is not a punch: %v", it.idx, err)
		return
	}
	if _, err := dec.Token(); err != io.EOF {
		it.reject(wire.CodeInvalid, "punch %d: body has data after the punch", it.idx)
		return
	}
	it.parsed = true
	it.result.ID, it.result.Seq = it.p.ID, it.p.Seq
	if err := it.p.Validate(); err != nil {
		it.reject(wire.CodeInvalid, "%v", err)
		return
	}
	// The body is evidence others will read: it must say one thing to
	// every reader, and hold only text the databases can store.
	if err := wire.CheckJSON(it.sp.Body, 0); err != nil {
		it.reject(wire.CodeInvalid, "punch %s: %s", it.p.ID, wire.MessageOf(err))
		return
	}
	if err := wire.CheckStrings(&it.p); err != nil {
		it.reject(wire.CodeInvalid, "punch %s: %s", it.p.ID, wire.MessageOf(err))
		return
	}
	if it.p.DeviceID != deviceID {
		it.reject(wire.CodeInvalid, "punch %s was made by device %q, not %q", it.p.ID, it.p.DeviceID, deviceID)
	}
}

// authenticate marks every item whose signature holds. Parsed items are
// grouped into runs linked by hash (seq n+1's prev is seq n's hash); the
// signature of a run's last punch covers the run. A run whose last
// signature fails is verified punch by punch.
func authenticate(items []*item, pub ed25519.PublicKey) {
	var cand []*item
	for _, it := range items {
		if it.parsed && !it.done {
			cand = append(cand, it)
		} else if it.parsed {
			// Invalid content: still tell a forged punch from a bad one.
			if !sigcheck.Verify(pub, it.sp.Body, it.sp.Sig) {
				it.reject(wire.CodeInvalid, "punch %s: signature does not verify", it.p.ID)
			}
		}
	}
	slices.SortStableFunc(cand, func(a, b *item) int { return cmp.Compare(a.p.Seq, b.p.Seq) })
	var single []*item
	for start := 0; start < len(cand); {
		end := start + 1
		for end < len(cand) && cand[end].p.Seq == cand[end-1].p.Seq+1 && cand[end].p.Prev == cand[end-1].hash {
			end++
		}
		last := cand[end-1]
		if sigcheck.Verify(pub, last.sp.Body, last.sp.Sig) {
			for _, it := range cand[start:end] {
				it.authed = true
			}
		} else {
			single = append(single, cand[start:end]...)
		}
		start = end
	}
	verifyEach(single, pub)
	for _, it := range cand {
		if !it.authed {
			it.reject(wire.CodeInvalid, "punch %s: signature does not verify", it.p.ID)
		}
	}
}

// verifyEach verifies signatures one by one, on all cores.
func verifyEach(items []*item, pub ed25519.PublicKey) {
	const chunk = 16
	var wg sync.WaitGroup
	for i := 0; i < len(items); i += chunk {
		part := items[i:min(i+chunk, len(items))]
		wg.Go(func() {
			for _, it := range part {
				it.authed = sigcheck.Verify(pub, it.sp.Body, it.sp.Sig)
			}
		})
	}
	wg.Wait()
}

// kioskInfo is what a phone punch needs of the kiosk whose QR it scanned.
type kioskInfo struct {
	dev attendance.Device
	err error
}

// judge resolves the employee, corrects the time and builds the row.
func (s *Service) judge(ctx context.Context, it *item, dev attendance.Device, r *rosterSnapshot, kiosks map[string]kioskInfo, offset time.Duration, now time.Time) {
	p := &it.p
	var flags []string
	if dev.Kind == attendance.DevicePhone {
		if p.EmployeeID != dev.EmployeeID {
			it.reject(wire.CodeInvalid, "punch %s: this phone punches for employee %s only", p.ID, dev.EmployeeID)
			return
		}
		switch {
		case p.Method == attendance.MethodGPS && p.Location == nil && p.Evidence.Place == "":
			it.reject(wire.CodeInvalid, "punch %s: a GPS punch needs its location fix, or the place typed on the weak-GPS route", p.ID)
			return
		case p.Method != attendance.MethodQR && p.Method != attendance.MethodGPS:
			it.reject(wire.CodeInvalid, "punch %s: a phone punches by scanning a kiosk's QR code (method qr) or by GPS (method gps), not %q", p.ID, p.Method)
			return
		}
	}
	if p.Method == attendance.MethodFingerprint || p.Method == attendance.MethodCard || p.Evidence.Terminal != nil {
		// A fingerprint or a card read is a hardware terminal's record,
		// written by the server (package terminal); a device claiming one
		// would pass mixed verification on its own word.
		it.reject(wire.CodeInvalid, "punch %s: method %q and a terminal's record come from hardware terminals only", p.ID, p.Method)
		return
	}
	if p.Evidence.Photo != "" {
		if msg := checkPhoto(p); msg != "" {
			it.reject(wire.CodeInvalid, "punch %s: %s", p.ID, msg)
			return
		}
	}
	if p.Evidence.NFCTag != "" {
		// A signed tag names its employee: the punch must be theirs.
		if code, msg := s.checkTag(ctx, p); msg != "" {
			it.reject(code, "punch %s: %s", p.ID, msg)
			return
		}
	}
	emp, ok := r.byID[p.EmployeeID]
	switch {
	case p.EmployeeID != "" && !ok:
		it.reject(wire.CodeInvalid, "punch %s: unknown employee %q", p.ID, p.EmployeeID)
		return
	case p.EmployeeID == "":
		emp, ok = r.byBadge[p.Evidence.BadgeCode]
		if !ok {
			it.reject(wire.CodeInvalid, "punch %s: badge code %q belongs to no active employee", p.ID, p.Evidence.BadgeCode)
			return
		}
	}
	if !emp.Active {
		it.reject(wire.CodeInvalid, "punch %s: employee %s has left", p.ID, emp.ID)
		return
	}
	if p.Method == attendance.MethodFace {
		if s.FaceAuditKey == nil {
			flags = append(flags, wire.FlagFaceUnverified)
		} else if msg := checkFace(s.FaceAuditKey, p, emp.ID, dev.ID); msg != "" {
			it.reject(wire.CodeInvalid, "punch %s: %s", p.ID, msg)
			return
		}
	}
	timing := p.Timing(offset, now)
	trueTime := timing.Time
	if timing.Estimated {
		flags = append(flags, wire.FlagClockEstimated)
	}
	if timing.Skewed {
		flags = append(flags, wire.FlagClockSkew)
	}
	if timing.Mismatch {
		flags = append(flags, wire.FlagEstTimeMismatch)
	}
	siteID := dev.SiteID
	if p.Method == attendance.MethodGPS && emp.SiteID != "" {
		// A field punch is judged against the fences of the employee's
		// own site, wherever the phone was activated.
		siteID = emp.SiteID
	}
	if p.Method == attendance.MethodQR {
		k, claims, ok := s.checkQR(ctx, it, kiosks, trueTime)
		if it.expired {
			// Genuine but old: decide refuses it, as used if this employee
			// already punched with it (a second visit to the same code),
			// otherwise as expired.
			it.qr = &store.QRUse{KioskID: claims.DeviceID, Step: claims.Step, EmployeeID: emp.ID, PunchID: p.ID}
			return
		}
		if !ok {
			return
		}
		// The punch time is the token's step on the kiosk's clock,
		// corrected by the kiosk's offset: the kiosk is the witness.
		trueTime = claims.StepTime().Add(time.Duration(k.OffsetMS) * time.Millisecond)
		siteID = k.SiteID
		it.qr = &store.QRUse{KioskID: claims.DeviceID, Step: claims.Step, EmployeeID: emp.ID, PunchID: p.ID}
	}
	if err := attendance.CheckTime(trueTime, now); err != nil {
		it.reject(wire.CodeInvalid, "punch %s: %v", p.ID, err)
		return
	}
	// A leaving date is judged at the punch's own time, in the employee's
	// site's zone: a last day's punch synced days later is still theirs.
	if !emp.ActiveAt(trueTime, r.zone(emp.SiteID, siteID)) {
		it.reject(wire.CodeInvalid, "punch %s: employee %s has left", p.ID, emp.ID)
		return
	}
	it.stored = store.StoredPunch{
		Punch: *p, Body: it.sp.Body, Sig: it.sp.Sig, Hash: it.hash,
		ReceivedAt: now, TrueTime: trueTime.Truncate(time.Millisecond), Status: store.PunchAccepted, Flags: flags,
	}
	it.stored.EmployeeID = emp.ID
	it.stored.SiteID = siteID
}

// checkTag checks an nfc punch's signed tag token against the tag keys
// and the serial the kiosk read: the refusal's code and message, "" when
// it holds. Keys the store could not give are transient, as a QR code's
// kiosk the store could not read is: the punch is sent again.
func (s *Service) checkTag(ctx context.Context, p *attendance.Punch) (wire.Code, string) {
	if s.TagKeys == nil {
		return wire.CodeInvalid, "NFC tag tokens are not checked on this server"
	}
	c, err := s.TagKeys.Verify(ctx, p.Evidence.NFCTag, p.Evidence.NFCSerial)
	switch {
	case errors.Is(err, nfctag.ErrFormat) || errors.Is(err, nfctag.ErrKey) || errors.Is(err, nfctag.ErrSignature) || errors.Is(err, nfctag.ErrSerial):
		return wire.CodeInvalid, fmt.Sprintf("its NFC tag token does not hold (%v)", err)
	case err != nil:
		return wire.CodeTransient, "cannot check its NFC tag token now; it will be retried"
	case c.EmployeeID != p.EmployeeID:
		return wire.CodeInvalid, fmt.Sprintf("its NFC tag token names employee %s, not %s", c.EmployeeID, p.EmployeeID)
	}
	return "", ""
}

// checkPhoto checks a punch's live photo (attendance.Evidence.Photo): a
// GPS punch's, base64 of a JPEG of at most attendance.MaxPhoto bytes; it
// returns what is wrong, or "".
func checkPhoto(p *attendance.Punch) string {
	if p.Method != attendance.MethodGPS {
		return "only a GPS punch carries a photo"
	}
	data, err := base64.StdEncoding.DecodeString(p.Evidence.Photo)
	if err != nil || len(data) > attendance.MaxPhoto {
		return "the photo is not base64 of at most 24 KiB"
	}
	if cfg, err := jpeg.DecodeConfig(bytes.NewReader(data)); err != nil || cfg.Width < 1 || cfg.Height < 1 {
		return "the photo is not a JPEG image"
	}
	return ""
}

// checkFace opens the face service's sealed verdict of a face punch and
// checks it is a match of this employee at this kiosk; it returns what is
// wrong, or "".
func checkFace(key []byte, p *attendance.Punch, employeeID, deviceID string) string {
	rec, err := facematch.OpenAudit(key, p.Evidence.FaceAudit)
	switch {
	case err != nil:
		return "the face verdict is not sealed by this deployment's face service"
	case rec.VerdictID != p.Evidence.FaceID:
		return "the sealed face verdict is not the one the punch names"
	case rec.Verdict != facematch.VerdictMatch || rec.EmployeeID != employeeID:
		return "the face service did not recognise this employee"
	case rec.KioskID != deviceID:
		return "the face verdict was made for another kiosk"
	}
	return ""
}

// checkQR verifies a phone punch's rotating QR token against the kiosk's
// secret, at the phone's capture time expressed on the kiosk's clock.
func (s *Service) checkQR(ctx context.Context, it *item, kiosks map[string]kioskInfo, phoneTime time.Time) (attendance.Device, token.Claims, bool) {
	p := &it.p
	if p.Evidence.QRToken == "" {
		it.reject(wire.CodeInvalid, "punch %s: a QR punch needs the kiosk's QR token", p.ID)
		return attendance.Device{}, token.Claims{}, false
	}
	var kiosk attendance.Device
	claims, err := token.Parse(p.Evidence.QRToken)
	if err == nil {
		k, ok := kiosks[claims.DeviceID]
		if !ok {
			k.dev, k.err = s.Store.Device(ctx, claims.DeviceID)
			if k.err == nil && (k.dev.Revoked || k.dev.Kind != attendance.DeviceKiosk) {
				k.err = store.ErrNotFound
			}
			kiosks[claims.DeviceID] = k
		}
		kiosk, err = k.dev, k.err
	}
	if err == nil {
		// The token's age is judged on the kiosk's clock: the phone's
		// capture time minus the kiosk's known offset.
		kioskNow := phoneTime.Add(-time.Duration(kiosk.OffsetMS) * time.Millisecond)
		claims, err = token.Verify(p.Evidence.QRToken, func(string) ([]byte, error) { return kiosk.QRSecret, nil }, kioskNow)
	}
	switch {
	case errors.Is(err, token.ErrExpired):
		// Verify checked the MAC before the age: the claims are genuine.
		claims, _ = token.Parse(p.Evidence.QRToken)
		it.expired = true
		return kiosk, claims, false
	case errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrInvalid) || errors.Is(err, token.ErrBadMAC) || errors.Is(err, token.ErrMalformed):
		it.reject(wire.CodeInvalid, "punch %s: not a QR code of one of our kiosks", p.ID)
	case err != nil:
		it.reject(wire.CodeTransient, "punch %s: cannot check the QR code now; it will be retried", p.ID)
	default:
		return kiosk, claims, true
	}
	return kiosk, claims, false
}

// lookupKeys lists the ids and chain positions decide must see: all of
// them when full, otherwise those at or below head.
func lookupKeys(live []*item, head uint64, full bool) store.IngestKeys {
	var keys store.IngestKeys
	for _, it := range live {
		if it.qr != nil {
			keys.QR = append(keys.QR, *it.qr)
		}
		if full || it.p.Seq <= head {
			keys.IDs = append(keys.IDs, it.p.ID)
		}
		for _, q := range []uint64{it.p.Seq, it.p.Seq - 1} {
			if q > 0 && (full || q <= head) {
				keys.Seqs = append(keys.Seqs, q)
			}
		}
	}
	keys.Seqs = slices.Compact(slices.Sorted(slices.Values(keys.Seqs)))
	return keys
}

// decide applies idempotency and the hash chain to the authentic, valid
// punches (sorted by seq) against what the store holds. It is pure.
func decide(v store.IngestView, live []*item, offset time.Duration, now time.Time) store.IngestPlan {
	plan := store.IngestPlan{Device: v.Device}
	// The device row is rewritten only when its offset moved by more than
	// a second or it was last seen over a minute ago: one write fewer per
	// batch, which is most of a small batch's cost.
	drift := offset.Milliseconds() - v.Device.OffsetMS
	plan.UpdateDevice = drift > 1000 || drift < -1000 || now.Sub(v.Device.SeenAt) > time.Minute
	plan.Device.OffsetMS = offset.Milliseconds()
	plan.Device.SeenAt = now
	byID := cloneMap(v.ByID)
	bySeq := cloneMap(v.BySeq)
	usedQR := cloneMap(v.UsedQR)
	if h := v.Device.LastSeq; h > 0 {
		if _, ok := bySeq[h]; !ok {
			// The chain head is known from the device row itself.
			bySeq[h] = store.Existing{Seq: h, Hash: v.Device.LastHash, ID: "at the chain head"}
		}
	}
	for _, it := range live {
		p := &it.p
		it.result = wire.PunchResult{ID: p.ID, Seq: p.Seq}
		if ex, ok := byID[p.ID]; ok {
			if ex.Hash != it.hash {
				it.result.Status, it.result.Code = wire.StatusRejected, wire.CodeConflict
				it.result.Message = fmt.Sprintf("punch id %s is already stored with different content", p.ID)
				continue
			}
			it.result.Status, it.result.Flags = wire.StatusDuplicate, ex.Flags
			continue
		}
		if it.qr != nil {
			if used, ok := usedQR[it.qr.Key()]; ok && used.PunchID != p.ID {
				it.result.Status, it.result.Code = wire.StatusRejected, wire.CodeConflict
				it.result.Message = "you have already punched with this QR code (此二维码已使用)"
				continue
			}
		}
		if it.expired {
			it.result.Status, it.result.Code = wire.StatusRejected, wire.CodeExpired
			it.result.Message = "this QR code has expired: scan the code the kiosk shows now (二维码已过期，请扫描终端上当前的二维码)"
			continue
		}
		if ex, ok := bySeq[p.Seq]; ok {
			it.result.Status, it.result.Code = wire.StatusRejected, wire.CodeConflict
			it.result.Message = fmt.Sprintf("chain fork: seq %d of this device already holds punch %s", p.Seq, ex.ID)
			continue
		}
		row := it.stored
		row.Flags = slices.Clone(row.Flags)
		if p.Seq > 1 {
			if prev, ok := bySeq[p.Seq-1]; !ok {
				row.Flags = append(row.Flags, wire.FlagChainGap)
			} else if prev.Hash != p.Prev {
				it.result.Status, it.result.Code = wire.StatusRejected, wire.CodeConflict
				it.result.Message = fmt.Sprintf("broken chain: prev of seq %d does not match the stored punch %s", p.Seq, prev.ID)
				continue
			}
		}
		it.result.Status, it.result.Flags = wire.StatusAccepted, row.Flags
		plan.Insert = append(plan.Insert, row)
		ex := store.Existing{ID: p.ID, Seq: p.Seq, Hash: it.hash, Status: store.PunchAccepted, Flags: row.Flags}
		byID[p.ID], bySeq[p.Seq] = ex, ex
		if it.qr != nil {
			plan.QRUses = append(plan.QRUses, *it.qr)
			usedQR[it.qr.Key()] = *it.qr
		}
	}
	return plan
}

// cloneMap copies m (never nil, unlike maps.Clone of a nil map), so decide
// can add the batch's own punches without touching the view.
func cloneMap[K comparable, V any](m map[K]V) map[K]V {
	out := make(map[K]V, len(m)+8)
	for k, v := range m {
		out[k] = v
	}
	return out
}
