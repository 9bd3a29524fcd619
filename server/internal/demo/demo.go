// Package demo seeds an empty store with a demo organisation so a new user
// sees a working product: two sites, three departments in a tree, thirty
// employees with badge codes, one enrolled demo kiosk whose key is kept in
// the data directory, day and night shifts, an admin token, and a week of
// punches made through the real signed-ingest path.
package demo

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/uuid"

	"punchclock/app/attendance"
	"punchclock/app/rules"
	"punchclock/app/wire"
	"punchclock/server/internal/device"
	"punchclock/server/internal/punch"
	"punchclock/server/internal/store"
)

// Files the seed writes into the data directory.
const (
	AdminTokenFile = "admin-token"    // the demo admin's API token
	KioskKeyFile   = "demo-kiosk.key" // the demo kiosk's Ed25519 seed, hex
	KioskIDFile    = "demo-kiosk.id"
)

// Sites of the demo organisation.
var Sites = []attendance.Site{
	// make run starts facematchd on this address beside punchd.
	{ID: "sh-jingan", Name: "Shanghai Jing'an Store 上海静安店", Zone: "Asia/Shanghai", FaceURL: "http://127.0.0.1:8090"},
	{ID: "muc-works", Name: "Munich Workshop", Zone: "Europe/Berlin"},
}

// Departments of the demo organisation: a tree under head office.
var Departments = []attendance.Department{
	{ID: "hq", Name: "Head Office 总部", ManagerID: "E001"},
	{ID: "retail", Name: "Retail 门店", ParentID: "hq", ManagerID: "E002"},
	{ID: "works", Name: "Workshop 车间", ParentID: "hq", ManagerID: "E003"},
}

var names = []string{
	"Zhang Wei 张伟", "Wang Fang 王芳", "Anna Schmidt", "Li Na 李娜", "Liu Yang 刘洋", "Chen Jing 陈静",
	"Yang Min 杨敏", "Zhao Lei 赵磊", "Huang Li 黄丽", "Zhou Jie 周杰", "Wu Xia 吴霞", "Xu Qiang 徐强",
	"Sun Li 孙丽", "Ma Chao 马超", "Zhu Hong 朱红", "Hu Jun 胡军", "Guo Mei 郭梅", "He Ping 何平",
	"Lin Tao 林涛", "Gao Yan 高燕", "Jonas Weber", "Lena Fischer", "Paul Wagner", "Mia Becker",
	"Felix Hoffmann", "Emma Schulz", "Lukas Koch", "Sofia Richter", "Leon Klein", "Hannah Wolf",
}

// Employees returns the thirty demo employees: E001 to E030, badge codes
// PC-0001 to PC-0030. E001 to E003 manage the departments; E002 and E004
// to E020 work days at the Shanghai store, E003 and E021 to E030 nights at
// the Munich workshop.
func Employees() []attendance.Employee {
	out := make([]attendance.Employee, len(names))
	for i, n := range names {
		e := attendance.Employee{ID: fmt.Sprintf("E%03d", i+1), Name: n, BadgeCode: fmt.Sprintf("PC-%04d", i+1), Active: true}
		switch {
		case i == 0:
			e.DepartmentID, e.SiteID, e.Position = "hq", "sh-jingan", "director"
		case i < 20:
			e.DepartmentID, e.SiteID, e.Position = "retail", "sh-jingan", "sales"
		default:
			e.DepartmentID, e.SiteID, e.Position = "works", "muc-works", "operator"
		}
		if i == 1 {
			e.Position = "store manager"
		}
		if i == 2 {
			e.DepartmentID, e.SiteID, e.Position = "works", "muc-works", "workshop lead"
		}
		out[i] = e
	}
	return out
}

// Config is the demo's default rule configuration: China's holidays, the
// day shift 09:00 to 18:00 (lunch 12:00 to 13:00, 10 minutes' grace) on
// weekdays. The workshop has its own (WorkshopConfig).
var Config = rules.Config{Rules: rules.RuleSet{
	Basic:      rules.Basic{HolidayCountry: "CN", DefaultSchedule: "office"},
	Shifts:     []rules.Shift{{ID: "day", Name: "Day 白班", Start: rules.NewClock(9, 0), End: rules.NewClock(18, 0), Breaks: []rules.Break{{Start: rules.NewClock(12, 0), End: rules.NewClock(13, 0)}}}},
	Weekly:     []rules.WeeklySchedule{{ID: "office", Name: "Office weekdays", Days: rules.WeekDays{Mon: "day", Tue: "day", Wed: "day", Thu: "day", Fri: "day"}}},
	Exceptions: rules.Exceptions{LateGraceMin: 10, SeriousLateMin: 30, DuplicateMin: 5},
}}

// WorkshopConfig is the Munich workshop's: Germany's holidays and the
// night shift 22:00 to 06:00 (a 30-minute break at 02:00) Monday to Friday.
var WorkshopConfig = rules.Config{Rules: rules.RuleSet{
	Basic:      rules.Basic{HolidayCountry: "DE", DefaultSchedule: "nights"},
	Shifts:     []rules.Shift{{ID: "night", Name: "Night 夜班", Start: rules.NewClock(22, 0), End: rules.NewClock(6, 0), Breaks: []rules.Break{{Start: rules.NewClock(2, 0), End: rules.NewClock(2, 30)}}}},
	Weekly:     []rules.WeeklySchedule{{ID: "nights", Name: "Weeknights", Days: rules.WeekDays{Mon: "night", Tue: "night", Wed: "night", Thu: "night", Fri: "night"}}},
	Exceptions: rules.Exceptions{LateGraceMin: 10, SeriousLateMin: 30, DuplicateMin: 5},
}}

// Result is what Seed made, for printing.
type Result struct {
	Seeded     bool   // false when the store already had data
	AdminToken string // read back from the data directory
	KioskID    string
}

// Seed fills an empty store and writes the demo credentials into dataDir.
// A store that already has sites is left alone. hashToken is how the API
// stores tokens.
//
// faceURL, when not empty, replaces the face service address of the site
// that has one (make run passes the address it starts facematchd on).
func Seed(ctx context.Context, st store.Store, dataDir string, now func() time.Time, hashToken func(string) string, faceURL string) (Result, error) {
	sites, err := st.Sites(ctx)
	if err != nil {
		return Result{}, fmt.Errorf("demo: %w", err)
	}
	if len(sites) > 0 {
		return readBack(dataDir)
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return Result{}, fmt.Errorf("demo: %w", err)
	}
	for _, s := range Sites {
		if s.FaceURL != "" && faceURL != "" {
			s.FaceURL = faceURL
		}
		if _, err := st.PutSite(ctx, s); err != nil {
			return Result{}, fmt.Errorf("demo: %w", err)
		}
	}
	for _, d := range Departments {
		if _, err := st.PutDepartment(ctx, d); err != nil {
			return Result{}, fmt.Errorf("demo: %w", err)
		}
	}
	for _, e := range Employees() {
		if _, err := st.PutEmployee(ctx, e); err != nil {
			return Result{}, fmt.Errorf("demo: %w", err)
		}
	}
	for site, c := range map[string]rules.Config{"": Config, Sites[1].ID: WorkshopConfig} {
		if err := c.Validate(); err != nil {
			return Result{}, fmt.Errorf("demo: rules: %w", err)
		}
		doc, err := json.Marshal(c)
		if err != nil {
			return Result{}, fmt.Errorf("demo: %w", err)
		}
		if _, err := st.PutRules(ctx, site, doc); err != nil {
			return Result{}, fmt.Errorf("demo: %w", err)
		}
	}

	tok := "pc_admin_" + randomString(24)
	if err := st.PutToken(ctx, store.Token{Hash: hashToken(tok), Name: "demo admin", Role: "admin", CreatedAt: now()}); err != nil {
		return Result{}, fmt.Errorf("demo: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dataDir, AdminTokenFile), []byte(tok+"\n"), 0o600); err != nil {
		return Result{}, fmt.Errorf("demo: %w", err)
	}

	// The demo kiosk enrolls like a real one, with a one-time code.
	devices := &device.Service{Store: st, Now: now}
	code, _, err := devices.IssueCode(ctx, Sites[0].ID, time.Hour, "demo")
	if err != nil {
		return Result{}, fmt.Errorf("demo: %w", err)
	}
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return Result{}, fmt.Errorf("demo: %w", err)
	}
	enrolled, err := devices.Enroll(ctx, wire.EnrollRequest{Protocol: wire.ProtocolVersion, Code: code, PublicKey: pub, Name: "Demo kiosk (entrance)", DeviceTime: now()})
	if err != nil {
		return Result{}, fmt.Errorf("demo: enroll kiosk: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dataDir, KioskKeyFile), []byte(hex.EncodeToString(priv.Seed())+"\n"), 0o600); err != nil {
		return Result{}, fmt.Errorf("demo: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dataDir, KioskIDFile), []byte(enrolled.DeviceID+"\n"), 0o600); err != nil {
		return Result{}, fmt.Errorf("demo: %w", err)
	}
	if err := seedPunches(ctx, punch.New(st, now), enrolled.DeviceID, priv, now()); err != nil {
		return Result{}, err
	}
	return Result{Seeded: true, AdminToken: tok, KioskID: enrolled.DeviceID}, nil
}

// seedPunches makes a week of day-shift punches for the store's staff
// through signed ingest, with a few late arrivals and one forgotten
// check-out, so reports have something to show.
func seedPunches(ctx context.Context, svc *punch.Service, deviceID string, key ed25519.PrivateKey, now time.Time) error {
	loc, err := time.LoadLocation(Sites[0].Zone)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	var chain wire.Chain
	var batch []wire.SignedPunch
	today := now.In(loc)
	for back := 7; back >= 1; back-- {
		day := today.AddDate(0, 0, -back)
		if day.Weekday() == time.Saturday || day.Weekday() == time.Sunday {
			continue
		}
		for i, e := range Employees() {
			if e.SiteID != Sites[0].ID {
				continue
			}
			// Deterministic spread: most arrive 08:40-09:05; one is late each day.
			inMin := 40 + (i*7+back*3)%25
			if (i+back)%9 == 0 {
				inMin = 72 // 09:12: late past the 10-minute grace
			}
			in := time.Date(day.Year(), day.Month(), day.Day(), 8, 0, 0, 0, loc).Add(time.Duration(inMin) * time.Minute)
			out := time.Date(day.Year(), day.Month(), day.Day(), 18, 0, 0, 0, loc).Add(time.Duration((i*5+back)%40) * time.Minute)
			times := []time.Time{in, out}
			if i == 5 && back == 2 {
				times = times[:1] // forgot to punch out
			}
			for _, t := range times {
				id, err := uuid.NewV7()
				if err != nil {
					return fmt.Errorf("demo: %w", err)
				}
				p := attendance.Punch{ID: id.String(), EmployeeID: e.ID, DeviceID: deviceID, SiteID: Sites[0].ID,
					Method: attendance.MethodBadge, DeviceTime: t.UTC(), EstTime: t.UTC(), Evidence: attendance.Evidence{BadgeCode: e.BadgeCode}}
				var sp wire.SignedPunch
				if sp, chain, err = chain.Next(&p, key); err != nil {
					return fmt.Errorf("demo: %w", err)
				}
				batch = append(batch, sp)
			}
		}
	}
	for len(batch) > 0 {
		n := min(len(batch), 100)
		resp, err := svc.IngestByID(ctx, deviceID, wire.BatchRequest{Protocol: wire.ProtocolVersion, DeviceID: deviceID, SentAt: now, Punches: batch[:n]})
		if err != nil {
			return fmt.Errorf("demo: ingest: %w", err)
		}
		for _, r := range resp.Results {
			if r.Status != wire.StatusAccepted {
				return fmt.Errorf("demo: punch %s %s: %s %s", r.ID, r.Status, r.Code, r.Message)
			}
		}
		batch = batch[n:]
	}
	return nil
}

func readBack(dataDir string) (Result, error) {
	var r Result
	tok, err := os.ReadFile(filepath.Join(dataDir, AdminTokenFile))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return r, fmt.Errorf("demo: %w", err)
	}
	id, err := os.ReadFile(filepath.Join(dataDir, KioskIDFile))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return r, fmt.Errorf("demo: %w", err)
	}
	r.AdminToken, r.KioskID = strings.TrimSpace(string(tok)), strings.TrimSpace(string(id))
	return r, nil
}

func randomString(n int) string {
	const alphabet = "abcdefghijkmnpqrstuvwxyz23456789"
	b := make([]byte, n)
	for i := range b {
		v, _ := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		b[i] = alphabet[v.Int64()]
	}
	return string(b)
}
