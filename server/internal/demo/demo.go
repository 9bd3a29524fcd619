// Package demo seeds an empty store with a demo organisation so a new user
// sees a working product: two sites, three departments in a tree, thirty
// employees with badge codes, one enrolled demo kiosk whose key is kept in
// the data directory, day and night shifts, an admin token, and a week of
// punches made through the real signed-ingest path.
//
// The seed survives a crash at any point (a kill -9 of the first
// `punchd serve -demo`): the next start finishes it. The store cannot run
// the whole seed in one transaction (enrollment and signed ingest run
// their own), so every step is idempotent instead, and a marker in the
// store (store.DemoSeed) says how far the demo got:
//
//   - The marker is written first, with the instant the week of punches is
//     laid out before, and again with Done after everything else. A store
//     with Done is the demo's and finished; one without is finished by the
//     next Seed. A store with data but no marker is left alone, unless it
//     is recognisably the demo of an older punchd (see Seed).
//   - Each step creates what is missing and never overwrites: an admin
//     may have edited the demo since.
//   - Credentials are persisted before the store learns them: the admin
//     token and the kiosk key are written to the data directory (atomically:
//     a temporary file renamed over) before the token is registered or the
//     kiosk enrolled, so a restart reuses them rather than making orphans.
//     The enrolled kiosk is found again by its public key.
//   - The punches have ids derived from employee and time, and their
//     bodies and signatures are deterministic, so ingesting the week again
//     answers "duplicate" for what is stored and adds only the rest.
package demo

import (
	"fmt"

	"punchclock/app/attendance"
	"punchclock/app/rules"
)

// Files the seed writes into the data directory.
const (
	AdminTokenFile = "admin-token"    // the demo admin's API token
	KioskKeyFile   = "demo-kiosk.key" // the demo kiosk's Ed25519 seed, hex
	KioskIDFile    = "demo-kiosk.id"  // the demo kiosk's device id
)

// StorePoint is the Shanghai store's place: the centre of its site plan
// and of its geofence, a circle of StoreFenceM metres.
var StorePoint = attendance.LatLng{Lat: 31.2243, Lng: 121.4453}

// StoreFenceM is the radius of the Shanghai store's geofence.
const StoreFenceM = 200

// Sites of the demo organisation.
var Sites = []attendance.Site{
	// make run starts facematchd on this address beside punchd.
	{ID: "sh-jingan", Name: "Shanghai Jing'an Store 上海静安店", Zone: "Asia/Shanghai", FaceURL: "http://127.0.0.1:8090",
		Point: &StorePoint, Fences: []attendance.Fence{{Name: "Store 门店", Center: &StorePoint, RadiusM: StoreFenceM}}},
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
// weekdays, overtime from 18:30 on workdays (at least 30 minutes, by
// quarter hours) and on rest days (at least an hour, by half hours). The
// workshop has its own (WorkshopConfig).
var Config = rules.Config{Rules: rules.RuleSet{
	Basic:      rules.Basic{HolidayCountry: "CN", DefaultSchedule: "office"},
	Shifts:     []rules.Shift{{ID: "day", Name: "Day 白班", Start: rules.NewClock(9, 0), End: rules.NewClock(18, 0), Breaks: []rules.Break{{Start: rules.NewClock(12, 0), End: rules.NewClock(13, 0)}}}},
	Weekly:     []rules.WeeklySchedule{{ID: "office", Name: "Office weekdays", Days: rules.WeekDays{Mon: "day", Tue: "day", Wed: "day", Thu: "day", Fri: "day"}}},
	Exceptions: rules.Exceptions{LateGraceMin: 10, SeriousLateMin: 30, DuplicateMin: 5},
	Overtime: rules.OvertimeRules{Workday: rules.OvertimeRule{Enabled: true, StartAfterMin: 30, MinMin: 30, RoundMin: 15},
		RestDay: rules.OvertimeRule{Enabled: true, MinMin: 60, RoundMin: 30}},
}}

// WorkshopConfig is the Munich workshop's: Germany's holidays and the
// night shift 22:00 to 06:00 (a 30-minute break at 02:00) Monday to Friday.
var WorkshopConfig = rules.Config{Rules: rules.RuleSet{
	Basic:      rules.Basic{HolidayCountry: "DE", DefaultSchedule: "nights"},
	Shifts:     []rules.Shift{{ID: "night", Name: "Night 夜班", Start: rules.NewClock(22, 0), End: rules.NewClock(6, 0), Breaks: []rules.Break{{Start: rules.NewClock(2, 0), End: rules.NewClock(2, 30)}}}},
	Weekly:     []rules.WeeklySchedule{{ID: "nights", Name: "Weeknights", Days: rules.WeekDays{Mon: "night", Tue: "night", Wed: "night", Thu: "night", Fri: "night"}}},
	Exceptions: rules.Exceptions{LateGraceMin: 10, SeriousLateMin: 30, DuplicateMin: 5},
}}
