package facematch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image/jpeg"
	"math"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/google/uuid"

	"punchclock/app/wire"
)

// Verdict is the outcome of an identification.
type Verdict string

// The verdicts. Only VerdictMatch names an employee to the kiosk.
const (
	VerdictMatch     Verdict = "match"      // one employee within the threshold, clearly ahead of the next
	VerdictUnknown   Verdict = "unknown"    // nobody within the threshold
	VerdictNotSure   Verdict = "not_sure"   // two employees too close to tell apart (margin rule)
	VerdictNoFace    Verdict = "no_face"    // no face in the frame
	VerdictManyFaces Verdict = "many_faces" // several faces: ask the others to step aside
	VerdictNotLive   Verdict = "not_live"   // liveness check failed: no head turn, or a flat picture
)

// SiteConfig overrides the matching parameters of one site.
type SiteConfig struct {
	Threshold float64 `json:"threshold"` // Euclidean; 0 means the default
	Margin    float64 `json:"margin"`    // 0 means the default
}

// Config configures a Service. Zero fields take the defaults.
type Config struct {
	// Threshold is the largest Euclidean distance that counts as the same
	// person (go-face's ClassifyThreshold compares squared distances: 0.6
	// there would be 0.36). Default 0.55, not dlib's 0.6: on the sample
	// photos several different people are 0.54 to 0.59 apart, so 0.6 let
	// 2 of 19 impostors through, while 0.55 let none and still matched
	// every genuine variant. A wrong name on a punch costs someone's pay; a
	// refusal only costs a badge scan. Sites can set their own.
	Threshold float64
	// Margin is the least gap between the nearest employee and the nearest
	// other employee for a match; below it the verdict is not_sure.
	Margin   float64
	Sites    map[string]SiteConfig
	Limits   Limits
	Liveness LivenessConfig
	// Per-kiosk and total attempt rates (per second) and bursts.
	KioskRate  float64
	KioskBurst int
	TotalRate  float64
	TotalBurst int
	// MinEnrollFace is the narrowest face an enrolment photo may show, in
	// pixels (default DefaultMinEnrollFace).
	MinEnrollFace int
	// MaxConcurrent bounds extractions running at once (dlib uses a core each).
	MaxConcurrent int
	Now           func() time.Time
	// AuditKey, when set, seals each verdict's audit record for punchd
	// into Result.Audit (see SealAudit).
	AuditKey []byte
}

// Defaults.
const (
	DefaultThreshold = 0.55
	DefaultMargin    = 0.08
)

func (c *Config) fill() {
	if c.Threshold == 0 {
		c.Threshold = DefaultThreshold
	}
	if c.Margin == 0 {
		c.Margin = DefaultMargin
	}
	if c.Limits == (Limits{}) {
		c.Limits = DefaultLimits
	}
	if c.Liveness == (LivenessConfig{}) {
		c.Liveness = DefaultLiveness
	}
	if c.KioskRate == 0 {
		c.KioskRate, c.KioskBurst = 2, 5
	}
	if c.TotalRate == 0 {
		c.TotalRate, c.TotalBurst = 20, 40
	}
	if c.MinEnrollFace == 0 {
		c.MinEnrollFace = DefaultMinEnrollFace
	}
	if c.MaxConcurrent == 0 {
		c.MaxConcurrent = 2
	}
	if c.Now == nil {
		c.Now = time.Now
	}
}

// Service is the face matching service: gallery, identification, liveness,
// consent and audit. It is safe for concurrent use.
type Service struct {
	cfg   Config
	ex    Extractor
	store *Store
	limit *limiter
	sem   chan struct{}

	mu        sync.RWMutex
	galleries map[string]*gallery // by site
}

type gallery struct {
	descs map[string][]Descriptor // by employee
	index *Index
}

func (g *gallery) rebuild() {
	ids := make([]string, 0, len(g.descs))
	for id := range g.descs {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	g.index = NewIndex(ids, g.descs)
}

// New makes a Service and loads the gallery from the store.
func New(ctx context.Context, ex Extractor, st *Store, cfg Config) (*Service, error) {
	cfg.fill()
	s := &Service{
		cfg:       cfg,
		ex:        ex,
		store:     st,
		limit:     newLimiter(cfg.KioskRate, cfg.KioskBurst, cfg.TotalRate, cfg.TotalBurst),
		sem:       make(chan struct{}, cfg.MaxConcurrent),
		galleries: map[string]*gallery{},
	}
	all, err := st.loadAll(ctx)
	if err != nil {
		return nil, err
	}
	for site, descs := range all {
		g := &gallery{descs: descs}
		g.rebuild()
		s.galleries[site] = g
	}
	return s, nil
}

// Site returns the effective threshold and margin of a site.
func (s *Service) Site(site string) SiteConfig {
	c := SiteConfig{Threshold: s.cfg.Threshold, Margin: s.cfg.Margin}
	if o, ok := s.cfg.Sites[site]; ok {
		if o.Threshold > 0 {
			c.Threshold = o.Threshold
		}
		if o.Margin > 0 {
			c.Margin = o.Margin
		}
	}
	return c
}

// Stats is the size of the gallery.
type Stats struct {
	Sites       int `json:"sites"`
	Employees   int `json:"employees"`
	Descriptors int `json:"descriptors"`
}

// Stats counts the gallery.
func (s *Service) Stats() Stats {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var st Stats
	for _, g := range s.galleries {
		st.Sites++
		st.Employees += g.index.Employees()
		st.Descriptors += g.index.Len()
	}
	return st
}

func checkID(what, v string) error {
	if v == "" {
		return wire.Errorf(wire.CodeInvalid, "%s is required", what)
	}
	if len(v) > 128 || strings.IndexFunc(v, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0 {
		return wire.Errorf(wire.CodeInvalid, "%s must be at most 128 printable characters", what)
	}
	return nil
}

// acquire takes an extraction slot; dlib saturates a core per extraction,
// so more at once only adds latency and memory.
func (s *Service) acquire(ctx context.Context) (func(), error) {
	select {
	case s.sem <- struct{}{}:
		return func() { <-s.sem }, nil
	case <-ctx.Done():
		return nil, &wire.Error{Code: wire.CodeTransient, Message: "busy, try again", Err: ctx.Err()}
	}
}

func (s *Service) extract(ctx context.Context, img []byte) ([]Face, error) {
	release, err := s.acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	faces, err := s.ex.Extract(ctx, img)
	if err != nil {
		return nil, &wire.Error{Code: wire.CodeInvalid, Message: "the image could not be analysed", Err: err}
	}
	return faces, nil
}

// EnrollRequest enrolls an employee at a site from 1 to 5 photos.
type EnrollRequest struct {
	EmployeeID string
	SiteID     string
	Photos     [][]byte // JPEG; decoded, described and dropped
	ConsentBy  string   // who gave the consent (or recorded it)
	Purpose    string   // what the employee agreed to
}

// EnrollResult reports an enrolment.
type EnrollResult struct {
	EmployeeID  string    `json:"employee_id"`
	SiteID      string    `json:"site_id"`
	Descriptors int       `json:"descriptors"`
	ConsentID   int64     `json:"consent_id"`
	EnrolledAt  time.Time `json:"enrolled_at"`
	// EventID is the id of the act's report to punchd's audit log (see
	// Event): punchd, asking on an admin's behalf, records the act under
	// it at once, and the later report is then a repeat.
	EventID string       `json:"event_id"`
	Photos  []PhotoCheck `json:"photos"`
}

// MaxPhotos is the most photos an enrolment takes.
const MaxPhotos = 5

// Enroll stores the descriptors of an employee at a site, replacing earlier
// ones, with the consent record. Every photo must show exactly one face, and
// all the same person.
func (s *Service) Enroll(ctx context.Context, req EnrollRequest) (EnrollResult, error) {
	var res EnrollResult
	if err := checkID("employee_id", req.EmployeeID); err != nil {
		return res, err
	}
	if err := checkID("site_id", req.SiteID); err != nil {
		return res, err
	}
	if strings.TrimSpace(req.ConsentBy) == "" || strings.TrimSpace(req.Purpose) == "" {
		return res, wire.Errorf(wire.CodeInvalid, "consent is required: who gave it (consent.by) and for what (consent.purpose)")
	}
	if len(req.ConsentBy) > 256 || len(req.Purpose) > 4000 {
		return res, wire.Errorf(wire.CodeInvalid, "consent.by is at most 256 bytes and consent.purpose at most 4000")
	}
	if len(req.Photos) == 0 || len(req.Photos) > MaxPhotos {
		return res, wire.Errorf(wire.CodeInvalid, "send 1 to %d photos, not %d", MaxPhotos, len(req.Photos))
	}
	checks, descs, err := s.CheckPhotos(ctx, req.SiteID, req.Photos)
	if err != nil {
		return res, err
	}
	if len(descs) < len(req.Photos) {
		pe := &PhotoError{Photos: checks}
		return res, &wire.Error{Code: wire.CodeInvalid, Message: pe.Error(), Err: pe}
	}
	now := s.cfg.Now()
	// Hold the gallery lock across the write so the store and the
	// in-memory index cannot disagree about the order of two enrolments.
	s.mu.Lock()
	defer s.mu.Unlock()
	id, ev, err := s.store.replaceTemplates(ctx, req.EmployeeID, req.SiteID, descs,
		Consent{By: req.ConsentBy, Purpose: req.Purpose, GivenAt: now})
	if err != nil {
		return res, err
	}
	g := s.galleries[req.SiteID]
	if g == nil {
		g = &gallery{descs: map[string][]Descriptor{}}
		s.galleries[req.SiteID] = g
	}
	g.descs[req.EmployeeID] = descs
	g.rebuild()
	return EnrollResult{EmployeeID: req.EmployeeID, SiteID: req.SiteID, Descriptors: len(descs), ConsentID: id, EnrolledAt: now.UTC(),
		EventID: ev, Photos: checks}, nil
}

// DeleteResult reports a deletion.
type DeleteResult struct {
	EmployeeID        string `json:"employee_id"`
	Descriptors       int64  `json:"deleted_descriptors"`
	WithdrawnConsents int64  `json:"withdrawn_consents"`
	// EventID is the id of the act's report to punchd (see EnrollResult).
	EventID string `json:"event_id"`
}

// DeleteEmployee removes every descriptor of an employee at every site (on
// request, or when the employee leaves) and marks the consent withdrawn.
func (s *Service) DeleteEmployee(ctx context.Context, employee string) (DeleteResult, error) {
	if err := checkID("employee id", employee); err != nil {
		return DeleteResult{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	n, c, ev, err := s.store.deleteEmployee(ctx, employee, s.cfg.Now())
	if err != nil {
		return DeleteResult{}, err
	}
	if n == 0 && c == 0 {
		return DeleteResult{}, wire.Errorf(wire.CodeNotFound, "employee %s is not enrolled", employee)
	}
	for site, g := range s.galleries {
		if _, ok := g.descs[employee]; ok {
			delete(g.descs, employee)
			g.rebuild()
			if len(g.descs) == 0 {
				delete(s.galleries, site)
			}
		}
	}
	return DeleteResult{EmployeeID: employee, Descriptors: n, WithdrawnConsents: c, EventID: ev}, nil
}

// Employee is what the service holds about an employee.
type Employee struct {
	EmployeeID  string         `json:"employee_id"`
	Descriptors map[string]int `json:"descriptors"` // by site
	Consents    []Consent      `json:"consents"`
}

// Employee returns the enrolment state and consent history of an employee.
func (s *Service) Employee(ctx context.Context, employee string) (Employee, error) {
	cs, err := s.store.Consents(ctx, employee)
	if err != nil {
		return Employee{}, err
	}
	if len(cs) == 0 {
		return Employee{}, wire.Errorf(wire.CodeNotFound, "employee %s was never enrolled", employee)
	}
	e := Employee{EmployeeID: employee, Descriptors: map[string]int{}, Consents: cs}
	s.mu.RLock()
	for site, g := range s.galleries {
		if n := len(g.descs[employee]); n > 0 {
			e.Descriptors[site] = n
		}
	}
	s.mu.RUnlock()
	return e, nil
}

// Result is what a kiosk learns from an identification: never distances.
type Result struct {
	VerdictID  string  `json:"verdict_id,omitempty"`
	Verdict    Verdict `json:"verdict"`
	EmployeeID string  `json:"employee_id,omitempty"`
	// Reason is a hint for the kiosk's screen ("turn your head a little").
	Reason string `json:"reason,omitempty"`
	// Audit is the verdict's audit record sealed for punchd (with
	// Config.AuditKey); the kiosk puts it in the face punch's evidence.
	Audit string `json:"audit,omitempty"`
}

// Search looks a descriptor up in a site's gallery.
func (s *Service) Search(site string, d *Descriptor) (Hit, SiteConfig) {
	sc := s.Site(site)
	s.mu.RLock()
	g := s.galleries[site]
	s.mu.RUnlock()
	if g == nil {
		return Hit{Distance: math.Inf(1), SecondDistance: math.Inf(1)}, sc
	}
	// Distances past threshold+margin cannot change the verdict; the
	// search stops computing them exactly (see Index.Search).
	return g.index.Search(d, sc.Threshold+sc.Margin), sc
}

// Decide applies the threshold and the margin rule to a search hit.
func Decide(h Hit, sc SiteConfig) Verdict {
	switch {
	case h.Employee == "" || h.Distance > sc.Threshold:
		return VerdictUnknown
	case h.Second != "" && h.SecondDistance-h.Distance < sc.Margin:
		return VerdictNotSure
	default:
		return VerdictMatch
	}
}

func finite(f float64) *float64 {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return nil
	}
	return &f
}

func (s *Service) allow(kiosk string) error {
	if ok, wait := s.limit.allow(kiosk, 1, s.cfg.Now()); !ok {
		return &wire.Error{Code: wire.CodeRateLimited, Message: fmt.Sprintf("too many attempts from kiosk %s; retry in %s", kiosk, wait.Round(time.Millisecond)),
			Err: retryAfter(wait)}
	}
	return nil
}

// RetryAfter is the cause of a rate_limited error: how long to wait.
type RetryAfter time.Duration

func retryAfter(d time.Duration) error { return RetryAfter(d) }

func (r RetryAfter) Error() string { return "retry after " + time.Duration(r).String() }

// IdentifyRequest is one frame from a kiosk.
type IdentifyRequest struct {
	SiteID  string
	KioskID string
	JPEG    []byte
}

// Identify finds who is in the frame among the site's employees.
func (s *Service) Identify(ctx context.Context, req IdentifyRequest) (Result, error) {
	if err := checkID("site id", req.SiteID); err != nil {
		return Result{}, err
	}
	if err := checkID("kiosk id", req.KioskID); err != nil {
		return Result{}, err
	}
	if err := s.allow(req.KioskID); err != nil {
		return Result{}, err
	}
	if err := CheckJPEG(req.JPEG, s.cfg.Limits); err != nil {
		return Result{}, err
	}
	faces, err := s.extract(ctx, req.JPEG)
	if err != nil {
		return Result{}, err
	}
	rec := AuditRecord{Kind: "identify", SiteID: req.SiteID, KioskID: req.KioskID, Faces: len(faces), Frames: 1}
	switch len(faces) {
	case 0:
		// Not audited: a kiosk polling an empty entrance would fill the trail.
		return Result{Verdict: VerdictNoFace, Reason: "no face found"}, nil
	case 1:
		return s.verdict(ctx, rec, &faces[0].Descriptor, "")
	default:
		sc := s.Site(req.SiteID)
		rec.Threshold, rec.Margin = sc.Threshold, sc.Margin
		rec.Verdict = VerdictManyFaces
		rec.Reason = fmt.Sprintf("%d faces", len(faces))
		return s.record(ctx, rec, "one person at a time, please")
	}
}

func (s *Service) verdict(ctx context.Context, rec AuditRecord, d *Descriptor, reason string) (Result, error) {
	h, sc := s.Search(rec.SiteID, d)
	rec.Verdict = Decide(h, sc)
	rec.EmployeeID, rec.Distance = h.Employee, finite(h.Distance)
	rec.SecondEmployeeID, rec.SecondDistance = h.Second, finite(h.SecondDistance)
	rec.Threshold, rec.Margin = sc.Threshold, sc.Margin
	rec.Reason = reason
	return s.record(ctx, rec, "")
}

func (s *Service) record(ctx context.Context, rec AuditRecord, hint string) (Result, error) {
	id, err := uuid.NewV7()
	if err != nil {
		return Result{}, fmt.Errorf("facematch: verdict id: %w", err)
	}
	rec.VerdictID = id.String()
	rec.At = s.cfg.Now().UTC()
	// No verdict id leaves the service without its audit record: punchd
	// must be able to fetch the evidence of every face punch.
	if err := s.store.addAudit(ctx, rec); err != nil {
		return Result{}, err
	}
	r := Result{VerdictID: rec.VerdictID, Verdict: rec.Verdict, Reason: hint}
	if s.cfg.AuditKey != nil {
		if r.Audit, err = SealAudit(s.cfg.AuditKey, rec); err != nil {
			return Result{}, err
		}
	}
	if rec.Verdict == VerdictMatch {
		r.EmployeeID = rec.EmployeeID
	}
	if rec.Verdict == VerdictNotLive {
		r.Reason = "turn your head slowly to one side"
	}
	return r, nil
}

// LivenessRequest is a short sequence of frames taken while the kiosk asked
// the person to turn their head a little.
type LivenessRequest struct {
	SiteID  string
	KioskID string
	Frames  [][]byte
}

// Liveness checks that the frames show one live person turning their head,
// then identifies them from the mean descriptor of the frames.
func (s *Service) Liveness(ctx context.Context, req LivenessRequest) (Result, error) {
	if err := checkID("site id", req.SiteID); err != nil {
		return Result{}, err
	}
	if err := checkID("kiosk id", req.KioskID); err != nil {
		return Result{}, err
	}
	lc := s.cfg.Liveness
	if len(req.Frames) < lc.MinFrames || len(req.Frames) > lc.MaxFrames {
		return Result{}, wire.Errorf(wire.CodeInvalid, "send %d to %d frames, not %d", lc.MinFrames, lc.MaxFrames, len(req.Frames))
	}
	if err := s.allow(req.KioskID); err != nil {
		return Result{}, err
	}
	for i, f := range req.Frames {
		if err := CheckJPEG(f, s.cfg.Limits); err != nil {
			var we *wire.Error
			if errors.As(err, &we) {
				return Result{}, &wire.Error{Code: we.Code, Message: fmt.Sprintf("frame %d: %s", i+1, we.Message), Err: err}
			}
			return Result{}, err
		}
	}
	sc := s.Site(req.SiteID)
	rec := AuditRecord{Kind: "liveness", SiteID: req.SiteID, KioskID: req.KioskID, Frames: len(req.Frames),
		Threshold: sc.Threshold, Margin: sc.Margin}
	frames := make([]LivenessFrame, 0, len(req.Frames))
	for i, f := range req.Frames {
		fs, err := s.extract(ctx, f)
		if err != nil {
			return Result{}, fmt.Errorf("frame %d: %w", i+1, err)
		}
		rec.Faces = max(rec.Faces, len(fs))
		switch len(fs) {
		case 0:
			return Result{Verdict: VerdictNoFace, Reason: fmt.Sprintf("no face in frame %d", i+1)}, nil
		case 1:
		default:
			rec.Verdict = VerdictManyFaces
			rec.Reason = fmt.Sprintf("frame %d: %d faces", i+1, len(fs))
			return s.record(ctx, rec, "one person at a time, please")
		}
		// The parallax check reads the pixels; CheckJPEG has bounded
		// the frame's size already.
		img, err := jpeg.Decode(bytes.NewReader(f))
		if err != nil {
			return Result{}, wire.Errorf(wire.CodeInvalid, "frame %d: %v", i+1, err)
		}
		frames = append(frames, LivenessFrame{Face: fs[0], Image: GrayOf(img)})
	}
	lr, mean := CheckLiveness(frames, lc, sc.Threshold)
	if !lr.Live {
		rec.Verdict = VerdictNotLive
		rec.Reason = lr.Reason
		return s.record(ctx, rec, "")
	}
	return s.verdict(ctx, rec, &mean, lr.Reason)
}

// Audit returns the audit record of a verdict, for punchd.
func (s *Service) Audit(ctx context.Context, verdictID string) (AuditRecord, error) {
	if _, err := uuid.Parse(verdictID); err != nil {
		return AuditRecord{}, wire.Errorf(wire.CodeInvalid, "verdict id must be a UUID")
	}
	r, err := s.store.Audit(ctx, verdictID)
	if errors.Is(err, ErrNotFound) {
		return r, wire.Errorf(wire.CodeNotFound, "no verdict %s", verdictID)
	}
	return r, err
}
