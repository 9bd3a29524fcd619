package rules

import (
	"strconv"
	"strings"
)

// The reasons are built by concatenation rather than fmt: they are made for
// every employee-day and fmt would dominate the evaluation's cost.

func addReason(r *[]Reason, code, en, zh string) {
	if *r == nil {
		*r = make([]Reason, 0, 8)
	}
	*r = append(*r, Reason{Code: code, EN: en, ZH: zh})
}

// numTable returns a function formatting n with a suffix; values 0 to
// 1440 come from one precomputed string and allocate nothing.
func numTable(suffix string) func(int) string {
	var b []byte
	var off [1442]int32
	for n := range 1441 {
		off[n] = int32(len(b))
		b = strconv.AppendInt(b, int64(n), 10)
		b = append(b, suffix...)
	}
	off[1441] = int32(len(b))
	text := string(b)
	return func(n int) string {
		if n >= 0 && n <= 1440 {
			return text[off[n]:off[n+1]]
		}
		return strconv.Itoa(n) + suffix
	}
}

var (
	enMin = numTable(" min")
	zhMin = numTable(" 分钟")
)

func (ev *evaluation) enDur(n int) string {
	if n < 60 || n > 1440 {
		return enMin(n)
	}
	return ev.s(strconv.Itoa(n/60), " h ", enMin(n%60))
}

func (ev *evaluation) zhDur(n int) string {
	if n < 60 || n > 1440 {
		return zhMin(n)
	}
	return ev.s(strconv.Itoa(n/60), " 小时 ", zhMin(n%60))
}

// s concatenates parts into the evaluation's text arena and returns the
// result. All reason texts of an employee's evaluation share a few large
// buffers instead of one allocation each; strings.Builder never rewrites
// bytes it has handed out, so the returned strings stay valid.
func (ev *evaluation) s(parts ...string) string {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	if ev.text.Cap()-ev.text.Len() < n {
		ev.text = strings.Builder{}
		ev.text.Grow(max(ev.textHint, n))
	}
	start := ev.text.Len()
	for _, p := range parts {
		ev.text.WriteString(p)
	}
	return ev.text.String()[start:]
}

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

// dayReason explains the day type.
func (ev *evaluation) dayReason(r *[]Reason, p *dayPlan) {
	sched := p.schedule
	if sched == "" {
		sched = "-"
	}
	switch {
	case p.dayType == DayHoliday && p.shift == nil:
		addReason(r, "holiday", ev.s("statutory holiday: ", p.dayName, "; no shift"), ev.s("法定节假日：", p.dayName, "，不排班"))
	case p.dayType == DayHoliday:
		addReason(r, "holiday_worked", ev.s("statutory holiday ", p.dayName, ", but rotation ", sched, " keeps running: time worked counts as holiday overtime"), ev.s("法定节假日 ", p.dayName, "，轮班 ", sched, " 照常运行：工作时间计入节假日加班"))
	case p.makeup && p.shift != nil:
		addReason(r, "makeup_workday", ev.s("make-up workday (", p.dayName, "): works shift ", p.shift.ID), ev.s("调休上班（", p.dayName, "）：上班次 ", p.shift.ID))
	case p.shift == nil:
		addReason(r, "rest_day", ev.s("rest day (schedule ", sched, ", ", enSource(p.source), ")"), ev.s("休息日（排班 ", sched, "，", zhSource(p.source), "）"))
	}
}

// shiftReason describes the shift, and a DST night.
func (ev *evaluation) shiftReason(r *[]Reason, si *ShiftInfo, in *inst) {
	span := ev.s(hhmm(si.Start), "–", hhmm(si.End))
	kind, kindZH := "shift ", "班次 "
	if si.Flexible {
		kind, kindZH = "flexible shift ", "弹性班次 "
	}
	addReason(r, "shift", ev.s(kind, si.ID, " ", span, " (", ev.enDur(si.ScheduledMin), " scheduled), schedule ", orDash(si.Schedule), ", ", enSource(si.Source)), ev.s(kindZH, si.ID, " ", span, "（应出勤 ", ev.zhDur(si.ScheduledMin), "），排班 ", orDash(si.Schedule), "，", zhSource(si.Source)))
	if real := int((in.e - in.s) / 60); real != in.nominalMinutes {
		addReason(r, "dst", ev.s("the shift lasts ", ev.enDur(real), ", not ", ev.enDur(in.nominalMinutes), ": the clocks change during it (daylight saving time)"), ev.s("本班次实际时长 ", ev.zhDur(real), "，而非 ", ev.zhDur(in.nominalMinutes), "：期间时钟调整（夏令时）"))
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// punchReason explains what became of a punch that is not simply an in or
// out.
func (ev *evaluation) punchReason(r *[]Reason, x *pin, pins []pin) {
	at := hhmm(x.use.Time)
	if x.use.Correction {
		addReason(r, "correction", ev.s("make-up punch ", at, " (approved correction ", x.use.ID, ") used like a punch"), ev.s(at, " 的补卡（已批准 ", x.use.ID, "）按打卡处理"))
	}
	switch x.use.Role {
	case RoleMerged:
		lead := hhmm(pins[x.leader].use.Time)
		addReason(r, "duplicate", ev.s("punch ", at, " (", string(x.use.Method), ") merged into ", lead, ": a duplicate within the duplicate window, kept for audit"), ev.s(at, " 的打卡（", string(x.use.Method), "）与 ", lead, " 的打卡重复，已合并，保留备查"))
	case RoleExtra:
		addReason(r, "extra", ev.s("punch ", at, " not used: the first punch of a shift is its in-punch and the last its out-punch"), ev.s(at, " 的打卡未使用：班次以第一次打卡为上班、最后一次为下班"))
	case RoleOutsideWindow:
		addReason(r, "outside_window", ev.s("punch ", at, " not used: outside the punch window of every shift"), ev.s(at, " 的打卡未使用：不在任何班次的打卡时间内"))
	case RoleRejected:
		by := x.rejected.By
		if by == "" {
			by = "the manager"
		}
		addReason(r, "rejected", ev.s("punch ", at, " not used: rejected by ", by, " (", string(x.rejected.Anomaly), ")"), ev.s(at, " 的打卡未使用：已被 ", by, " 驳回（", string(x.rejected.Anomaly), "）"))
	}
}

func (ev *evaluation) lateReason(r *[]Reason, late int, at, start string, grace int, flex bool) {
	what, whatZH := "shift starts ", "班次 "
	if flex {
		what, whatZH = "core hours start ", "核心时间 "
	}
	addReason(r, "late", ev.s("late ", enMin(late), ": first in-punch ", at, ", ", what, start, ", grace ", enMin(grace)), ev.s("迟到 ", zhMin(late), "：首次上班打卡 ", at, "，", whatZH, start, " 开始，宽限 ", zhMin(grace)))
}

func (ev *evaluation) onTimeReason(r *[]Reason, at, start string, grace int, flex bool) {
	what, whatZH := "shift starts ", "班次 "
	if flex {
		what, whatZH = "core hours start ", "核心时间 "
	}
	addReason(r, "on_time", ev.s("on time: first in-punch ", at, ", ", what, start, ", grace ", enMin(grace)), ev.s("准时：首次上班打卡 ", at, "，", whatZH, start, " 开始，宽限 ", zhMin(grace)))
}

func (ev *evaluation) earlyReason(r *[]Reason, early int, at, end string, grace int, flex bool) {
	what, whatZH := "shift ends ", "班次 "
	if flex {
		what, whatZH = "core hours end ", "核心时间 "
	}
	addReason(r, "early_leave", ev.s("left early ", enMin(early), ": last out-punch ", at, ", ", what, end, ", grace ", enMin(grace)), ev.s("早退 ", zhMin(early), "：最后下班打卡 ", at, "，", whatZH, end, " 结束，宽限 ", zhMin(grace)))
}

func (ev *evaluation) thresholdReason(r *[]Reason, code string, got, threshold int) {
	switch code {
	case "seriously_late":
		addReason(r, code, ev.s("seriously late: ", enMin(got), " is at least the threshold of ", enMin(threshold)), ev.s("严重迟到：迟到 ", zhMin(got), "，达到 ", zhMin(threshold), " 的标准"))
	case "absent_late":
		addReason(r, "absent", ev.s("counted as absent: late ", enMin(got), " is at least the absence threshold of ", enMin(threshold)), ev.s("按旷工处理：迟到 ", zhMin(got), "，达到 ", zhMin(threshold), " 的旷工标准"))
	case "absent_early":
		addReason(r, "absent", ev.s("counted as absent: left ", enMin(got), " early, at least the absence threshold of ", enMin(threshold)), ev.s("按旷工处理：早退 ", zhMin(got), "，达到 ", zhMin(threshold), " 的旷工标准"))
	}
}

func (ev *evaluation) workedReason(r *[]Reason, worked, scheduled int) {
	addReason(r, "worked", ev.s("worked ", ev.enDur(worked), " of ", ev.enDur(scheduled), " scheduled (breaks excluded)"), ev.s("出勤 ", ev.zhDur(worked), "，应出勤 ", ev.zhDur(scheduled), "（不含休息）"))
}
