package rules

import (
	"strconv"
)

// The reasons are built by concatenation rather than fmt, and interned (see
// scratch.s): they are made for every employee-day and fmt, or a string
// per reason, would dominate the evaluation's cost.

// table returns a function formatting n with format; values 0 to 1440 come
// from one precomputed string and allocate nothing.
func table(format func(b []byte, n int) []byte) func(int) string {
	var b []byte
	var off [1442]int32
	for n := range 1441 {
		off[n] = int32(len(b))
		b = format(b, n)
	}
	off[1441] = int32(len(b))
	text := string(b)
	return func(n int) string {
		if n >= 0 && n <= 1440 {
			return text[off[n]:off[n+1]]
		}
		return string(format(nil, n))
	}
}

// suffixed formats n followed by suffix.
func suffixed(suffix string) func(b []byte, n int) []byte {
	return func(b []byte, n int) []byte {
		return append(strconv.AppendInt(b, int64(n), 10), suffix...)
	}
}

// hours formats an hour or more as hours and minutes, less in minutes.
func hours(h string, min func(int) string) func(b []byte, n int) []byte {
	return func(b []byte, n int) []byte {
		if n < 60 || n > 1440 {
			return append(b, min(n)...)
		}
		b = append(strconv.AppendInt(b, int64(n/60), 10), h...)
		return append(b, min(n%60)...)
	}
}

var (
	enMin = table(suffixed(" min"))
	zhMin = table(suffixed(" 分钟"))
	enDur = table(hours(" h ", enMin))
	zhDur = table(hours(" 小时 ", zhMin))
)

func enDayType(t DayType) string {
	switch t {
	case DayHoliday:
		return "holiday"
	case DayRest:
		return "rest day"
	}
	return "workday"
}

func zhDayType(t DayType) string {
	switch t {
	case DayHoliday:
		return "节假日"
	case DayRest:
		return "休息日"
	}
	return "工作日"
}

func enSource(s string) string {
	switch s {
	case "override":
		return "set for this day"
	case "employee":
		return "assigned to the employee"
	case "position":
		return "assigned to the position"
	case "department":
		return "assigned to the department"
	case "default":
		return "the default schedule"
	}
	return "no schedule assigned"
}

func zhSource(s string) string {
	switch s {
	case "override":
		return "当天单独排班"
	case "employee":
		return "按员工分配"
	case "position":
		return "按岗位分配"
	case "department":
		return "按部门分配"
	case "default":
		return "默认排班"
	}
	return "未分配排班"
}

// dayReason explains the day type, when it needs explaining.
func (ev *evaluation) dayReason(p *dayPlan) sharedReason {
	sched := p.schedule
	if sched == "" {
		sched = "-"
	}
	switch {
	case p.dayType == DayHoliday && p.shift == nil:
		return ev.reason("holiday", []string{"statutory holiday: ", p.dayName, "; no shift"}, []string{"法定节假日：", p.dayName, "，不排班"})
	case p.dayType == DayHoliday:
		return ev.reason("holiday_worked", []string{"statutory holiday ", p.dayName, ", but rotation ", sched, " keeps running: time worked counts as holiday overtime"}, []string{"法定节假日 ", p.dayName, "，轮班 ", sched, " 照常运行：工作时间计入节假日加班"})
	case p.makeup && p.shift != nil:
		return ev.reason("makeup_workday", []string{"make-up workday (", p.dayName, "): works shift ", p.shift.ID}, []string{"调休上班（", p.dayName, "）：上班次 ", p.shift.ID})
	case p.source == sourceLeft:
		return ev.reason("left", []string{"after the leaving date ", ev.emp.e.LeavingDate, ": not expected at work"}, []string{"离职日期 ", ev.emp.e.LeavingDate, " 之后：无需出勤"})
	case p.shift == nil:
		return ev.reason("rest_day", []string{"rest day (schedule ", sched, ", ", enSource(p.source), ")"}, []string{"休息日（排班 ", sched, "，", zhSource(p.source), "）"})
	}
	return sharedReason{}
}

// shiftReason describes the shift, and a DST night.
func (ev *evaluation) shiftReason(si *ShiftInfo, in *inst) []sharedReason {
	kind, kindZH := "shift ", "班次 "
	if si.Flexible {
		kind, kindZH = "flexible shift ", "弹性班次 "
	}
	why := []sharedReason{ev.reason("shift", []string{kind, si.ID, " ", hhmm(si.Start), "–", hhmm(si.End), " (", enDur(si.ScheduledMin), " scheduled), schedule ", orDash(si.Schedule), ", ", enSource(si.Source)}, []string{kindZH, si.ID, " ", hhmm(si.Start), "–", hhmm(si.End), "（应出勤 ", zhDur(si.ScheduledMin), "），排班 ", orDash(si.Schedule), "，", zhSource(si.Source)})}
	if real := int((in.e - in.s) / 60); real != in.nominalMinutes {
		why = append(why, ev.reason("dst", []string{"the shift lasts ", enDur(real), ", not ", enDur(in.nominalMinutes), ": the clocks change during it (daylight saving time)"}, []string{"本班次实际时长 ", zhDur(real), "，而非 ", zhDur(in.nominalMinutes), "：期间时钟调整（夏令时）"}))
	}
	return why
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// punchReason explains what became of a punch that is not simply an in or
// out.
func (ev *evaluation) punchReason(x *pin, pins []pin) {
	at := hhmm(x.use.Time)
	if x.use.Correction {
		ev.addReason("correction", []string{"make-up punch ", at, " (approved correction ", x.use.ID, ") used like a punch"}, []string{at, " 的补卡（已批准 ", x.use.ID, "）按打卡处理"})
	}
	switch x.use.Role {
	case RoleMerged:
		lead := hhmm(pins[x.leader].use.Time)
		ev.addReason("duplicate", []string{"punch ", at, " (", string(x.use.Method), ") merged into ", lead, ": a duplicate within the duplicate window, kept for audit"}, []string{at, " 的打卡（", string(x.use.Method), "）与 ", lead, " 的打卡重复，已合并，保留备查"})
	case RoleExtra:
		ev.addReason("extra", []string{"punch ", at, " not used: the first punch of a shift is its in-punch and the last its out-punch"}, []string{at, " 的打卡未使用：班次以第一次打卡为上班、最后一次为下班"})
	case RoleOutsideWindow:
		ev.addReason("outside_window", []string{"punch ", at, " not used: outside the punch window of every shift"}, []string{at, " 的打卡未使用：不在任何班次的打卡时间内"})
	case RoleRejected:
		by := x.rejected.By
		if by == "" {
			by = "the manager"
		}
		ev.addReason("rejected", []string{"punch ", at, " not used: rejected by ", by, " (", string(x.rejected.Anomaly), ")"}, []string{at, " 的打卡未使用：已被 ", by, " 驳回（", string(x.rejected.Anomaly), "）"})
	}
}

func (ev *evaluation) lateReason(late int, at, start string, grace int, flex bool) {
	what, whatZH := "shift starts ", "班次 "
	if flex {
		what, whatZH = "core hours start ", "核心时间 "
	}
	ev.addReason("late", []string{"late ", enMin(late), ": first in-punch ", at, ", ", what, start, ", grace ", enMin(grace)}, []string{"迟到 ", zhMin(late), "：首次上班打卡 ", at, "，", whatZH, start, " 开始，宽限 ", zhMin(grace)})
}

func (ev *evaluation) onTimeReason(at, start string, grace int, flex bool) {
	what, whatZH := "shift starts ", "班次 "
	if flex {
		what, whatZH = "core hours start ", "核心时间 "
	}
	ev.addReason("on_time", []string{"on time: first in-punch ", at, ", ", what, start, ", grace ", enMin(grace)}, []string{"准时：首次上班打卡 ", at, "，", whatZH, start, " 开始，宽限 ", zhMin(grace)})
}

func (ev *evaluation) earlyReason(early int, at, end string, grace int, flex bool) {
	what, whatZH := "shift ends ", "班次 "
	if flex {
		what, whatZH = "core hours end ", "核心时间 "
	}
	ev.addReason("early_leave", []string{"left early ", enMin(early), ": last out-punch ", at, ", ", what, end, ", grace ", enMin(grace)}, []string{"早退 ", zhMin(early), "：最后下班打卡 ", at, "，", whatZH, end, " 结束，宽限 ", zhMin(grace)})
}

func (ev *evaluation) thresholdReason(code string, got, threshold int) {
	switch code {
	case "seriously_late":
		ev.addReason(code, []string{"seriously late: ", enMin(got), " is at least the threshold of ", enMin(threshold)}, []string{"严重迟到：迟到 ", zhMin(got), "，达到 ", zhMin(threshold), " 的标准"})
	case "absent_late":
		ev.addReason("absent", []string{"counted as absent: late ", enMin(got), " is at least the absence threshold of ", enMin(threshold)}, []string{"按旷工处理：迟到 ", zhMin(got), "，达到 ", zhMin(threshold), " 的旷工标准"})
	case "absent_early":
		ev.addReason("absent", []string{"counted as absent: left ", enMin(got), " early, at least the absence threshold of ", enMin(threshold)}, []string{"按旷工处理：早退 ", zhMin(got), "，达到 ", zhMin(threshold), " 的旷工标准"})
	}
}

func (ev *evaluation) workedReason(worked, scheduled int) {
	ev.addReason("worked", []string{"worked ", enDur(worked), " of ", enDur(scheduled), " scheduled (breaks excluded)"}, []string{"出勤 ", zhDur(worked), "，应出勤 ", zhDur(scheduled), "（不含休息）"})
}
