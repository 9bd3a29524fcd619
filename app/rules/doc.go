// Package rules is punchclock's attendance rules engine: punches, rules,
// schedules, holidays and approvals in; one explained DayRecord per
// employee-day out.
//
// It is pure. Nothing here reads the clock, the file system or the network:
// "now", the IANA zone and every datum are arguments, so the server (the
// authoritative result) and the kiosk in the browser (provisional feedback
// while offline) compute the same verdicts. It builds for linux and
// js/wasm; its only dependency outside the standard library is
// github.com/rickar/cal/v2 for the holidays of countries other than China.
// Binaries that use it must embed time/tzdata (the browser has no zone
// database).
//
// # Layers
//
// A RuleSet is what an admin configures, in the four layers users know from
// WeCom and DingTalk:
//
//   - Basic: the attendance cycle (calendar month or a custom start day, see
//     RuleSet.Cycle), the holiday country and the default schedule.
//   - Location: Sites with geofences (circles of 50 to 5000 m, polygons; in
//     WGS-84 or GCJ-02, see WGS84ToGCJ02) and allowed address ranges. A
//     fix's accuracy circle makes it Inside, Outside or Uncertain.
//   - Scheduling: Shifts (fixed, cross-day such as 22:00 to 06:00, flexible
//     with core hours and a required duration, with breaks and punch
//     windows), WeeklySchedules and Rotations. Input.Schedule assigns them to
//     departments, positions or employees for date ranges; the most specific
//     assignment wins, and per-day Overrides beat all.
//   - Exceptions and overtime: grace, seriously-late and absence thresholds,
//     duplicate merging, mixed verification, corrected device clocks,
//     overtime per day type with minimum, rounding and cap.
//
// Holidays come from the embedded State Council data for China (2025 and
// 2026, with make-up workdays), from github.com/rickar/cal/v2 for the
// countries of Countries, and from imports (ParseICal, ParseCalendarJSON)
// given as Input.Calendar, which override the built-in days.
//
// # Evaluation
//
// Evaluate (or EvaluateParallel) compiles an Input and returns the records of
// every employee for a date range; EvaluateStream hands them to a callback
// employee by employee instead, from reused memory, so that a company's
// month is never held whole (the records API writes them out as they
// come). Compile once and call
// Engine.EvaluateEmployee to evaluate one employee, e.g. when a punch
// arrives. Diff compares two evaluations (the preview of a rule change);
// Summarize totals records per attendance cycle.
//
// The rules of time:
//
//   - A shift belongs to the business day of its local start; its instants
//     are computed in the zone, so a 22:00 to 06:00 night is 7 h or 9 h on
//     DST nights, and every duration comes from instants.
//   - Punches are events, not "in" or "out". Each punch goes to the shift
//     whose punch window (InEarliestMin before the start to OutLatestMin
//     after the end) holds it, the nearest one when windows overlap; a
//     shift's first punch is its in, its last its out; a single punch is
//     an in or an out by whether it is nearer the start or the end (a
//     direction hint decides inside the shift). A forgotten out-punch
//     therefore never shifts the next day's punches. Punches in no window
//     are listed, unused, on a workday, and are rest-day or holiday
//     overtime on a day without a shift.
//   - Times are judged as a wall clock shows them, to the minute: with
//     09:00 and 10 min grace, 09:10:59 is on time and 09:11 is 11 min late.
//   - Punches within DuplicateMin of a group's first punch are merged into
//     it; they stay in the record with role "merged".
//   - Approved corrections (make-up punches) are used like punches, marked
//     Correction. A punch a manager rejected (an Approval with state
//     "rejected" and its punch id) is listed but not used.
//   - With Input.Now set, days whose punch window is still open are
//     Provisional: lateness is reported, missing punches, absence and early
//     leave are not concluded yet.
//
// Every record carries its anomalies, each with the approval it needs (who,
// and the state of any matching Approval: approved anomalies no longer
// count toward the status), and Reasons in English and Chinese such as
// "late 11 min: first in-punch 09:11, shift starts 09:00, grace 10 min" /
// "迟到 11 分钟：首次上班打卡 09:11，班次 09:00 开始，宽限 10 分钟".
//
// # Scenarios
//
// EvalScenario reads the JSON scenario format of testdata/rules (documented
// in testdata/rules/README.md): an Input with the date range and optional
// expectations. `punchd rules eval FILE` prints its result.
//
// # Performance
//
// An evaluation allocates little beyond the records it returns. Each worker
// reuses its working memory from one employee to the next; employees of
// one schedule share its planning; an employee's punches are cut from one
// array; and what many records have in common is made once per worker and
// shared: a shift's ShiftInfo, each distinct reason text and each distinct
// list of reasons (texts are built in a buffer and become strings only
// when new). Punch times are compared as Unix seconds, and In and Out
// point into the record's Punches. Streamed (EvaluateStream), 10,000
// employees over 31 days evaluate in well under a second on two cores and
// allocate under 20 MB, nearly all of it the texts of reasons (see
// BenchmarkEvaluate10kx31); DayRecord.AppendJSON writes a record's JSON
// without reflection.
package rules
