package storetest

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"punchclock/app/attendance"
	"punchclock/server/internal/store"
)

// badText is what a hostile or broken client may put in any string: each
// is refused by every store method, wherever it goes.
var badText = []struct{ name, s string }{
	{"NUL", "\x00"},
	{"NUL inside", "e1\x00x"},
	{"NUL at the end", "e1\x00"},
	{"0xFF", "\xff"},
	{"lone continuation byte", "e\x80"},
	{"truncated sequence", "caf\xc3"},
	{"overlong encoding", "\xc0\xaf"},
	{"UTF-16 surrogate half", "\xed\xa0\x80"},
	{"NUL and invalid UTF-8", "\x00\xfe"},
}

// badIDs are refused in identifiers only (free text may hold them).
var badIDs = []struct{ name, s string }{
	{"newline", "e1\n"},
	{"escape", "\x1b[2J"},
	{"DEL", "e\x7f"},
	{"C1 control", "e\u0085"},
	{"too long", strings.Repeat("x", 300)},
}

// badTextCall feeds one bad string to one argument of a store method.
type badTextCall struct {
	name string
	id   bool // the argument is an identifier
	call func(s store.Store, bad string) error
}

// badTextCalls covers every Store method that takes a string, each of its
// string arguments in turn.
func badTextCalls() []badTextCall {
	site := func(mod func(*attendance.Site, string)) func(store.Store, string) error {
		return func(s store.Store, bad string) error {
			x := attendance.Site{ID: "s9", Name: "S", Zone: "UTC"}
			mod(&x, bad)
			_, err := s.PutSite(ctx, x)
			return err
		}
	}
	dept := func(mod func(*attendance.Department, string)) func(store.Store, string) error {
		return func(s store.Store, bad string) error {
			x := attendance.Department{ID: "d9", Name: "D"}
			mod(&x, bad)
			_, err := s.PutDepartment(ctx, x)
			return err
		}
	}
	emp := func(mod func(*attendance.Employee, string)) func(store.Store, string) error {
		return func(s store.Store, bad string) error {
			x := attendance.Employee{ID: "e9", Name: "E", DepartmentID: "d1", Active: true}
			mod(&x, bad)
			_, err := s.PutEmployee(ctx, x)
			return err
		}
	}
	code := func(mod func(*store.EnrollCode, string)) func(store.Store, string) error {
		return func(s store.Store, bad string) error {
			c := store.EnrollCode{Hash: "h9", SiteID: "s1", CreatedAt: T0, ExpiresAt: T0.Add(time.Hour)}
			mod(&c, bad)
			return s.PutEnrollCode(ctx, c)
		}
	}
	enroll := func(mod func(*string, *attendance.Device, string)) func(store.Store, string) error {
		return func(s store.Store, bad string) error {
			hash, d := "h1", attendance.Device{ID: "dev9", Name: "K", PublicKey: make([]byte, 32), QRSecret: []byte("x")}
			mod(&hash, &d, bad)
			_, err := s.Enroll(ctx, hash, d, T0)
			return err
		}
	}
	tok := func(mod func(*store.Token, string)) func(store.Store, string) error {
		return func(s store.Store, bad string) error {
			t := store.Token{Hash: "th9", Name: "n", Role: "admin", CreatedAt: T0}
			mod(&t, bad)
			return s.PutToken(ctx, t)
		}
	}
	ingestKeys := func(mod func(*string, *store.IngestKeys, string)) func(store.Store, string) error {
		return func(s store.Store, bad string) error {
			dev, keys := "dev1", store.IngestKeys{}
			mod(&dev, &keys, bad)
			return s.Ingest(ctx, dev, keys, func(v store.IngestView) (store.IngestPlan, error) {
				return store.IngestPlan{}, errors.New("decide was called with bad keys")
			})
		}
	}
	plan := func(mod func(*store.IngestPlan, string)) func(store.Store, string) error {
		return func(s store.Store, bad string) error {
			return s.Ingest(ctx, "dev1", store.IngestKeys{}, func(v store.IngestView) (store.IngestPlan, error) {
				p := store.IngestPlan{Insert: []store.StoredPunch{punchN(1, T0)}, Device: v.Device, UpdateDevice: true}
				p.Device.OffsetMS = 777
				mod(&p, bad)
				return p, nil
			})
		}
	}
	punches := func(mod func(*store.PunchFilter, string)) func(store.Store, string) error {
		return func(s store.Store, bad string) error {
			f := store.PunchFilter{}
			mod(&f, bad)
			_, err := s.Punches(ctx, f)
			return err
		}
	}
	one := func(fn func(store.Store, string) error) func(store.Store, string) error { return fn }
	return []badTextCall{
		{"PutSite id", true, site(func(x *attendance.Site, b string) { x.ID = b })},
		{"PutSite name", false, site(func(x *attendance.Site, b string) { x.Name = b })},
		{"PutSite zone", false, site(func(x *attendance.Site, b string) { x.Zone = b })},
		{"PutSite face_url", false, site(func(x *attendance.Site, b string) { x.FaceURL = b })},
		{"PutDepartment id", true, dept(func(x *attendance.Department, b string) { x.ID = b })},
		{"PutDepartment name", false, dept(func(x *attendance.Department, b string) { x.Name = b })},
		{"PutDepartment parent_id", true, dept(func(x *attendance.Department, b string) { x.ParentID = b })},
		{"PutDepartment manager_id", true, dept(func(x *attendance.Department, b string) { x.ManagerID = b })},
		{"PutEmployee id", true, emp(func(x *attendance.Employee, b string) { x.ID = b })},
		{"PutEmployee name", false, emp(func(x *attendance.Employee, b string) { x.Name = b })},
		{"PutEmployee department_id", true, emp(func(x *attendance.Employee, b string) { x.DepartmentID = b })},
		{"PutEmployee site_id", true, emp(func(x *attendance.Employee, b string) { x.SiteID = b })},
		{"PutEmployee manager_id", true, emp(func(x *attendance.Employee, b string) { x.ManagerID = b })},
		{"PutEmployee badge_code", false, emp(func(x *attendance.Employee, b string) { x.BadgeCode = b })},
		{"PutEmployee position", false, emp(func(x *attendance.Employee, b string) { x.Position = b })},
		{"Site", true, one(func(s store.Store, b string) error { _, err := s.Site(ctx, b); return err })},
		{"Employee", true, one(func(s store.Store, b string) error { _, err := s.Employee(ctx, b); return err })},
		{"EmployeeByBadge", false, one(func(s store.Store, b string) error { _, err := s.EmployeeByBadge(ctx, b); return err })},
		{"Employees site", true, one(func(s store.Store, b string) error {
			_, err := s.Employees(ctx, store.EmployeeFilter{SiteID: b})
			return err
		})},
		{"Employees department", true, one(func(s store.Store, b string) error {
			_, err := s.Employees(ctx, store.EmployeeFilter{DepartmentID: b})
			return err
		})},
		{"PutRules site", true, one(func(s store.Store, b string) error { _, err := s.PutRules(ctx, b, json.RawMessage(`{}`)); return err })},
		{"PutRules document", false, one(func(s store.Store, b string) error {
			_, err := s.PutRules(ctx, "s1", json.RawMessage(`{"a":"`+b+`"}`))
			return err
		})},
		{"Rules", true, one(func(s store.Store, b string) error { _, _, err := s.Rules(ctx, b); return err })},
		{"PutEnrollCode hash", false, code(func(c *store.EnrollCode, b string) { c.Hash = b })},
		{"PutEnrollCode site", true, code(func(c *store.EnrollCode, b string) { c.SiteID = b })},
		{"PutEnrollCode employee", true, code(func(c *store.EnrollCode, b string) { c.EmployeeID = b })},
		{"PutEnrollCode created_by", false, code(func(c *store.EnrollCode, b string) { c.CreatedBy = b })},
		{"Enroll code hash", false, enroll(func(h *string, _ *attendance.Device, b string) { *h = b })},
		{"Enroll device id", true, enroll(func(_ *string, d *attendance.Device, b string) { d.ID = b })},
		{"Enroll device name", false, enroll(func(_ *string, d *attendance.Device, b string) { d.Name = b })},
		{"Device", true, one(func(s store.Store, b string) error { _, err := s.Device(ctx, b); return err })},
		{"RevokeDevice", true, one(func(s store.Store, b string) error { return s.RevokeDevice(ctx, b) })},
		{"RenameDevice", true, one(func(s store.Store, b string) error { return s.RenameDevice(ctx, b, "x") })},
		{"RenameDevice name", false, one(func(s store.Store, b string) error { return s.RenameDevice(ctx, "dev1", b) })},
		{"Ingest device", true, ingestKeys(func(d *string, _ *store.IngestKeys, b string) { *d = b })},
		{"Ingest key id", true, ingestKeys(func(_ *string, k *store.IngestKeys, b string) { k.IDs = []string{"x", b} })},
		{"Ingest key QR kiosk", true, ingestKeys(func(_ *string, k *store.IngestKeys, b string) {
			k.QR = []store.QRUse{{KioskID: b, Step: 1, EmployeeID: "e1"}}
		})},
		{"Ingest key QR employee", true, ingestKeys(func(_ *string, k *store.IngestKeys, b string) {
			k.QR = []store.QRUse{{KioskID: "dev1", Step: 1, EmployeeID: b}}
		})},
		{"Ingest plan punch id", true, plan(func(p *store.IngestPlan, b string) { p.Insert[0].ID = b })},
		{"Ingest plan employee", true, plan(func(p *store.IngestPlan, b string) { p.Insert[0].EmployeeID = b })},
		{"Ingest plan site", true, plan(func(p *store.IngestPlan, b string) { p.Insert[0].SiteID = b })},
		{"Ingest plan method", false, plan(func(p *store.IngestPlan, b string) { p.Insert[0].Method = attendance.Method(b) })},
		{"Ingest plan hash", false, plan(func(p *store.IngestPlan, b string) { p.Insert[0].Hash = b })},
		{"Ingest plan message", false, plan(func(p *store.IngestPlan, b string) { p.Insert[0].Message = b })},
		{"Ingest plan flag", false, plan(func(p *store.IngestPlan, b string) { p.Insert[0].Flags = []string{b} })},
		{"Ingest plan addr", false, plan(func(p *store.IngestPlan, b string) { p.Insert[0].Addr = b })},
		{"Ingest plan evidence note", false, plan(func(p *store.IngestPlan, b string) { p.Insert[0].Evidence.Note = b })},
		{"Ingest plan QR use", true, plan(func(p *store.IngestPlan, b string) {
			p.QRUses = []store.QRUse{{KioskID: "dev1", Step: 1, EmployeeID: b, PunchID: p.Insert[0].ID}}
		})},
		{"Punch", true, one(func(s store.Store, b string) error { _, err := s.Punch(ctx, b); return err })},
		{"Punches employee", true, punches(func(f *store.PunchFilter, b string) { f.EmployeeID = b })},
		{"Punches employees", true, punches(func(f *store.PunchFilter, b string) { f.EmployeeIDs = []string{"e1", b} })},
		{"Punches device", true, punches(func(f *store.PunchFilter, b string) { f.DeviceID = b })},
		{"Punches site", true, punches(func(f *store.PunchFilter, b string) { f.SiteID = b })},
		{"Punches status", false, punches(func(f *store.PunchFilter, b string) { f.Status = b })},
		{"Punches after id", true, punches(func(f *store.PunchFilter, b string) { f.AfterTime, f.AfterID = T0, b })},
		{"PutToken hash", false, tok(func(t *store.Token, b string) { t.Hash = b })},
		{"PutToken name", false, tok(func(t *store.Token, b string) { t.Name = b })},
		{"PutToken role", false, tok(func(t *store.Token, b string) { t.Role = b })},
		{"TokenByHash", false, one(func(s store.Store, b string) error { _, err := s.TokenByHash(ctx, b); return err })},
		{"Take key", false, one(func(s store.Store, b string) error { _, err := s.Take(ctx, b, T0, time.Second, 1); return err })},
		{"TakeWait key", false, one(func(s store.Store, b string) error { _, err := s.TakeWait(ctx, b, T0, time.Second, 1); return err })},
		{"PutExportJob id", true, one(func(s store.Store, b string) error {
			return s.PutExportJob(ctx, store.ExportJob{ID: b, Owner: "o", Spec: json.RawMessage(`{}`), State: store.JobQueued, CreatedAt: T0})
		})},
		{"PutExportJob owner", false, one(func(s store.Store, b string) error {
			return s.PutExportJob(ctx, store.ExportJob{ID: "j9", Owner: b, Spec: json.RawMessage(`{}`), State: store.JobQueued, CreatedAt: T0})
		})},
		{"ExportJob", true, one(func(s store.Store, b string) error { _, err := s.ExportJob(ctx, b); return err })},
	}
}

// testBadText feeds bad text to every store method taking strings: each
// must answer ErrInvalid (not a storage error, not a panic), and nothing
// may change. On PostgreSQL such text would otherwise fail the query like
// a database that is down; SQLite would store it.
func testBadText(t *testing.T, s store.Store) {
	seedOrg(t, s)
	enrollDevice(t, s, "h1", "dev1")
	mustDo(ingest(t, s, punchN(1, T0)))
	before := snapshot(t, s)
	for _, c := range badTextCalls() {
		cases := badText
		if c.id {
			cases = append(cases[:len(cases):len(cases)], badIDs...)
		}
		for _, bad := range cases {
			err := callSafely(func() error { return c.call(s, bad.s) })
			if !errors.Is(err, store.ErrInvalid) {
				t.Errorf("%s with %s: err = %v, want ErrInvalid", c.name, bad.name, err)
			}
		}
	}
	if after := snapshot(t, s); after != before {
		t.Errorf("bad text changed the store:\n%s\nwas\n%s", after, before)
	}
	// A seq the signed 64-bit column cannot hold is refused the same way.
	for _, seq := range []uint64{math.MaxInt64 + 1, math.MaxUint64} {
		err := s.Ingest(ctx, "dev1", store.IngestKeys{Seqs: []uint64{seq}}, func(v store.IngestView) (store.IngestPlan, error) {
			return store.IngestPlan{Device: v.Device}, nil
		})
		if !errors.Is(err, store.ErrInvalid) {
			t.Errorf("key seq %d: err = %v, want ErrInvalid", seq, err)
		}
		p := punchN(2, T0)
		p.Seq = seq
		err = s.Ingest(ctx, "dev1", store.IngestKeys{}, func(v store.IngestView) (store.IngestPlan, error) {
			return store.IngestPlan{Insert: []store.StoredPunch{p}, Device: v.Device}, nil
		})
		if !errors.Is(err, store.ErrInvalid) {
			t.Errorf("plan seq %d: err = %v, want ErrInvalid", seq, err)
		}
	}
	if after := snapshot(t, s); after != before {
		t.Errorf("a seq above 2^63-1 changed the store:\n%s\nwas\n%s", after, before)
	}
}

// callSafely turns a panic into an error, so one bad case fails as itself.
func callSafely(fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return fn()
}

// snapshot describes everything a store method could have changed.
func snapshot(t *testing.T, s store.Store) string {
	t.Helper()
	ch := must(s.Changes(ctx, 0))
	devs := must(s.Devices(ctx))
	ps := must(s.Punches(ctx, store.PunchFilter{}))
	_, tokErr := s.TokenByHash(ctx, "th9")
	_, codeErr := s.Enroll(ctx, "h9", attendance.Device{ID: "probe"}, T0.Add(-time.Hour)) // h9 is never stored
	out := fmt.Sprintf("version %d, %d sites, %d departments, %d employees, %d devices, %d punches, token %v, code %v",
		ch.Version, len(ch.Sites), len(ch.Departments), len(ch.Employees), len(devs), len(ps), tokErr != nil, errors.Is(codeErr, store.ErrNotFound))
	for _, d := range devs {
		out += fmt.Sprintf("\n%s offset %d head %d %s revoked %v", d.ID, d.OffsetMS, d.LastSeq, d.LastHash, d.Revoked)
	}
	return out
}
