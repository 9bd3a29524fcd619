package demo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"time"

	"punchclock/app/attendance"
	"punchclock/app/rules"
	"punchclock/server/internal/store"
)

// Result is what Seed found or made, for printing.
type Result struct {
	// Seeded is true when this call wrote the demo: all of it, or (with
	// Resumed) the rest of a seed an earlier start did not finish.
	Seeded  bool
	Resumed bool
	// AdminToken is the demo admin's token, read from or written to the
	// data directory; the store knows it.
	AdminToken string
	KioskID    string
	// Skipped, when not empty, says why the store was left alone.
	Skipped string
}

// Seed fills an empty store with the demo and writes the demo credentials
// into dataDir, or finishes a demo seed a crash interrupted. now is the
// server clock; hashToken is how the API stores tokens.
//
// A store whose demo is finished is left as it is; Seed only makes sure
// the admin token in dataDir is one the store knows (a new data directory
// gets a new token), so a start always prints a working one.
//
// A store with data but no marker is the demo of an older punchd, which
// did not mark its seeds, or not the demo's at all. It is taken for a
// finished demo when the admin token in dataDir is one the store knows,
// the kiosk in dataDir is enrolled with the key there and has punches,
// and all thirty demo employees exist; for an interrupted one, which Seed
// finishes, when the token is known or the store holds nothing but part
// of the demo's organisation. Anything else is real data: Seed leaves it
// alone and says so in Result.Skipped.
//
// faceURL, when not empty, replaces the face service address of the site
// that has one (make run passes the address it starts facematchd on).
func Seed(ctx context.Context, st store.Store, dataDir string, now func() time.Time, hashToken func(string) string, faceURL string) (Result, error) {
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return Result{}, fmt.Errorf("demo: %w", err)
	}
	s := &seeder{st: st, dir: dataDir, now: now, hash: hashToken, faceURL: faceURL}
	mark, err := st.DemoSeed(ctx)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return s.unmarked(ctx)
	case err != nil:
		return Result{}, fmt.Errorf("demo: %w", err)
	case !mark.Done.IsZero():
		return s.finished(ctx)
	}
	return s.run(ctx, mark, true)
}

// seeder holds what the steps share.
type seeder struct {
	st      store.Store
	dir     string
	now     func() time.Time
	hash    func(string) string
	faceURL string
}

// unmarked decides what a store without a marker is: empty, or the demo
// of an older punchd (finished or not), or real data.
func (s *seeder) unmarked(ctx context.Context) (Result, error) {
	org, err := s.look(ctx)
	if err != nil {
		return Result{}, err
	}
	if org.empty() {
		// The marker goes first: from here on the store is the demo's.
		mark := store.DemoSeed{Anchor: s.now()}
		if err := s.st.PutDemoSeed(ctx, mark); err != nil {
			return Result{}, fmt.Errorf("demo: %w", err)
		}
		return s.run(ctx, mark, false)
	}
	tokenKnown, err := s.tokenKnown(ctx)
	if err != nil {
		return Result{}, err
	}
	if tokenKnown {
		dev, done, err := s.legacyDone(ctx, org)
		if err != nil {
			return Result{}, err
		}
		if done {
			if err := s.st.PutDemoSeed(ctx, store.DemoSeed{Anchor: dev.EnrolledAt, Done: s.now()}); err != nil {
				return Result{}, fmt.Errorf("demo: %w", err)
			}
			return s.finished(ctx)
		}
	}
	if tokenKnown || org.demoPart() {
		mark := store.DemoSeed{Anchor: s.now()}
		if err := s.st.PutDemoSeed(ctx, mark); err != nil {
			return Result{}, fmt.Errorf("demo: %w", err)
		}
		return s.run(ctx, mark, true)
	}
	return Result{Skipped: fmt.Sprintf("the database holds data, and neither a demo seed marker nor the demo credentials in %s show it is the demo's", s.dir)}, nil
}

// finished reports a finished demo.
func (s *seeder) finished(ctx context.Context) (Result, error) {
	tok, err := s.ensureToken(ctx)
	if err != nil {
		return Result{}, err
	}
	id, err := readCred(s.dir, KioskIDFile)
	if err != nil {
		return Result{}, err
	}
	return Result{AdminToken: tok, KioskID: id}, nil
}

// run does every step, each making only what is missing, and marks the
// seed done last.
func (s *seeder) run(ctx context.Context, mark store.DemoSeed, resumed bool) (Result, error) {
	org, err := s.look(ctx)
	if err != nil {
		return Result{}, err
	}
	if err := s.ensureOrg(ctx, org); err != nil {
		return Result{}, err
	}
	tok, err := s.ensureToken(ctx)
	if err != nil {
		return Result{}, err
	}
	dev, key, err := s.ensureKiosk(ctx)
	if err != nil {
		return Result{}, err
	}
	if err := s.ensurePunches(ctx, dev, key, mark.Anchor); err != nil {
		return Result{}, err
	}
	mark.Done = s.now()
	if err := s.st.PutDemoSeed(ctx, mark); err != nil {
		return Result{}, fmt.Errorf("demo: %w", err)
	}
	return Result{Seeded: true, Resumed: resumed, AdminToken: tok, KioskID: dev.ID}, nil
}

// org is what the store holds of an organisation.
type org struct {
	store.Changes // since 0: everything
	devices       []attendance.Device
}

func (s *seeder) look(ctx context.Context) (org, error) {
	ch, err := s.st.Changes(ctx, 0)
	if err != nil {
		return org{}, fmt.Errorf("demo: %w", err)
	}
	devs, err := s.st.Devices(ctx)
	if err != nil {
		return org{}, fmt.Errorf("demo: %w", err)
	}
	return org{Changes: ch, devices: devs}, nil
}

func (o org) empty() bool {
	return len(o.Sites)+len(o.Departments)+len(o.Employees)+len(o.RulesChanged)+len(o.devices) == 0
}

// demoPart reports whether the store holds nothing but part of the demo's
// organisation, as an older punchd's interrupted seed left it: no rows
// but the demo's, under its ids and names, and no devices.
func (o org) demoPart() bool {
	names := map[string]string{} // the demo's ids and names, of every kind
	for _, x := range Sites {
		names["site "+x.ID] = x.Name
	}
	for _, x := range Departments {
		names["department "+x.ID] = x.Name
	}
	for _, x := range Employees() {
		names["employee "+x.ID] = x.Name
	}
	ours := func(kind, id, name string) bool { n, ok := names[kind+" "+id]; return ok && n == name }
	for _, x := range o.Sites {
		if !ours("site", x.ID, x.Name) {
			return false
		}
	}
	for _, x := range o.Departments {
		if !ours("department", x.ID, x.Name) {
			return false
		}
	}
	for _, x := range o.Employees {
		if !ours("employee", x.ID, x.Name) {
			return false
		}
	}
	for _, id := range o.RulesChanged {
		if _, ok := ruleDocs()[id]; !ok {
			return false
		}
	}
	return len(o.devices) == 0
}

// legacyDone reports whether an older punchd's demo is finished: the
// kiosk named in the data directory is enrolled with the key there and
// has punches, and all the demo employees exist.
func (s *seeder) legacyDone(ctx context.Context, o org) (attendance.Device, bool, error) {
	id, err := readCred(s.dir, KioskIDFile)
	if err != nil || id == "" {
		return attendance.Device{}, false, err
	}
	key, err := readKey(s.dir)
	if err != nil || key == nil {
		return attendance.Device{}, false, err
	}
	dev, err := s.st.Device(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return dev, false, nil
	} else if err != nil {
		return dev, false, fmt.Errorf("demo: %w", err)
	}
	if !matches(key, dev) || dev.LastSeq == 0 {
		return dev, false, nil
	}
	for _, e := range Employees() {
		if !slices.ContainsFunc(o.Employees, func(x attendance.Employee) bool { return x.ID == e.ID }) {
			return dev, false, nil
		}
	}
	return dev, true, nil
}

// ruleDocs returns the demo's rule sets by site id ("" the default).
func ruleDocs() map[string]rules.Config {
	return map[string]rules.Config{"": Config, Sites[1].ID: WorkshopConfig}
}

// ensureOrg creates the sites, departments, employees and rule sets the
// store lacks, in that order (a department's parent and an employee's
// department exist first).
func (s *seeder) ensureOrg(ctx context.Context, o org) error {
	for _, x := range Sites {
		if slices.ContainsFunc(o.Sites, func(y attendance.Site) bool { return y.ID == x.ID }) {
			continue
		}
		if x.FaceURL != "" && s.faceURL != "" {
			x.FaceURL = s.faceURL
		}
		if _, err := s.st.PutSite(ctx, x); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
	}
	for _, x := range Departments {
		if slices.ContainsFunc(o.Departments, func(y attendance.Department) bool { return y.ID == x.ID }) {
			continue
		}
		if _, err := s.st.PutDepartment(ctx, x); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
	}
	for _, x := range Employees() {
		if slices.ContainsFunc(o.Employees, func(y attendance.Employee) bool { return y.ID == x.ID }) {
			continue
		}
		if _, err := s.st.PutEmployee(ctx, x); err != nil {
			return fmt.Errorf("demo: employee %s: %w", x.ID, err)
		}
	}
	for _, site := range []string{"", Sites[1].ID} {
		if slices.Contains(o.RulesChanged, site) {
			continue
		}
		c := ruleDocs()[site]
		if err := c.Validate(); err != nil {
			return fmt.Errorf("demo: rules: %w", err)
		}
		doc, err := json.Marshal(c)
		if err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		if _, err := s.st.PutRules(ctx, site, doc); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
	}
	return nil
}
