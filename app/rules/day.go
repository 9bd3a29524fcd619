package rules

import (
	"time"

	"punchclock/app/attendance"
)

// truncMin truncates unix seconds to the minute: times are judged as the
// wall clock shows them (09:10:59 is 09:10).
func truncMin(u int64) int64 { return u - ((u%60)+60)%60 }

// record builds the DayRecord of plans[i].
func (ev *evaluation) record(i int) DayRecord {
	p := &ev.plans[i]
	rec := DayRecord{
		EmployeeID: ev.emp.e.ID, Date: p.date, DayType: p.dayType,
		DayName: p.dayName, MakeupWorkday: p.makeup,
	}
	rec.CycleStart = p.cycle
	rec.Anomalies = ev.anoms[:0]
	if p.why.Code != "" {
		ev.add(p.why)
	}

	j := ev.dayInst[i]
	list := ev.pinsOf(i)
	if j >= 0 {
		in := &ev.insts[j]
		se := ev.shiftEntry(shiftInfoKey{p.shift, in.s, in.e, p.schedule, p.source}, in)
		rec.Shift = se.si
		for _, r := range se.why {
			ev.add(r)
		}
	}
	// Cut from the employee's array, with no room to append into the
	// next record's punches.
	rec.Punches = ev.outPunches[:0:len(list)]
	ev.outPunches = ev.outPunches[len(list):]
	if rec.Punches == nil {
		rec.Punches = []PunchUse{}
	}
	for _, k32 := range list {
		k := int(k32)
		x := &ev.pins[k]
		x.pos = len(rec.Punches)
		if x.rejected != nil {
			x.use.Role = RoleRejected
		} else if x.inst < 0 && j >= 0 && x.leader == k {
			x.use.Role = RoleOutsideWindow
		}
		rec.Punches = append(rec.Punches, x.use)
		ev.punchReason(x, ev.pins)
	}

	if j >= 0 {
		ev.shiftDay(&rec, &ev.insts[j])
	} else {
		ev.offDay(&rec, list)
	}
	rec.Status = ev.status(&rec)
	// The anomalies were gathered in scratch: keep its array, grown or
	// not, for the next day, and give the record its own.
	ev.anoms = rec.Anomalies[:0]
	if ev.stream {
		rec.Anomalies = cut(&ev.arAnom, len(rec.Anomalies))
	} else {
		rec.Anomalies = make([]Anomaly, len(rec.Anomalies))
	}
	copy(rec.Anomalies, ev.anoms[:len(rec.Anomalies)])
	rec.Reasons = ev.dayReasons()
	return rec
}

// shiftDay evaluates a day with a scheduled shift.
func (ev *evaluation) shiftDay(rec *DayRecord, in *inst) {
	e, p := ev.e, &ev.plans[in.day]
	s := p.shift
	x := e.rules.Exceptions

	complete := true
	if !ev.now.IsZero() {
		nu := ev.now.Unix()
		if nu < in.ws {
			rec.Provisional = true
			rec.Status = StatusScheduled
			ev.addReason("scheduled", []string{"the shift's punch window opens at ", hhmm(in.start.Add(-s.inEarly))}, []string{"班次打卡时间从 ", hhmm(in.start.Add(-s.inEarly)), " 开始"})
			return
		}
		if nu < in.we {
			complete = false
			rec.Provisional = true
			ev.addReason("in_progress", []string{"provisional: the punch window is open until ", hhmm(in.end.Add(s.outLate))}, []string{"暂定：打卡时间到 ", hhmm(in.end.Add(s.outLate)), " 结束"})
		}
	}

	var inP, outP *pin
	// In and Out point into Punches: the same data, no copy.
	if in.in >= 0 {
		inP = &ev.pins[in.in]
		rec.In = &rec.Punches[inP.pos]
	}
	if in.out >= 0 {
		outP = &ev.pins[in.out]
		rec.Out = &rec.Punches[outP.pos]
	}

	startRef, endRef := in.s, in.e
	if f := s.Flex; f != nil {
		startRef = in.start.Add(minutes(offsetIn(s.Start, f.CoreStart))).Unix()
		endRef = in.start.Add(minutes(offsetIn(s.Start, f.CoreEnd))).Unix()
	}
	startClock := hhmm(time.Unix(startRef, 0).In(e.loc))
	endClock := hhmm(time.Unix(endRef, 0).In(e.loc))

	if inP != nil {
		late := int((truncMin(inP.unix) - startRef) / 60)
		at := hhmm(inP.use.Time)
		switch {
		case late > x.LateGraceMin:
			rec.LateMin = late
			ev.lateReason(late, at, startClock, x.LateGraceMin, s.Flex != nil)
			switch {
			case x.AbsentLateMin > 0 && late >= x.AbsentLateMin:
				ev.anomaly(rec, AnomalyAbsent, "waiver", late, "")
				ev.thresholdReason("absent_late", late, x.AbsentLateMin)
			case x.SeriousLateMin > 0 && late >= x.SeriousLateMin:
				ev.anomaly(rec, AnomalySeriouslyLate, "waiver", late, "")
				ev.thresholdReason("seriously_late", late, x.SeriousLateMin)
			default:
				ev.anomaly(rec, AnomalyLate, "waiver", late, "")
			}
		default:
			ev.onTimeReason(at, startClock, x.LateGraceMin, s.Flex != nil)
		}
	}
	if outP != nil && complete {
		early := int((endRef - truncMin(outP.unix)) / 60)
		at := hhmm(outP.use.Time)
		if early > x.EarlyGraceMin {
			rec.EarlyMin = early
			ev.earlyReason(early, at, endClock, x.EarlyGraceMin, s.Flex != nil)
			if x.AbsentEarlyMin > 0 && early >= x.AbsentEarlyMin {
				ev.anomaly(rec, AnomalyAbsent, "waiver", early, "")
				ev.thresholdReason("absent_early", early, x.AbsentEarlyMin)
			} else {
				ev.anomaly(rec, AnomalyEarlyLeave, "waiver", early, "")
			}
		} else {
			ev.addReason("left_on_time", []string{"out-punch ", at, ", shift ends ", endClock}, []string{"下班打卡 ", at, "，班次 ", endClock, " 结束"})
		}
	}
	if complete {
		winFrom, winTo := hhmm(in.start.Add(-s.inEarly)), hhmm(in.end.Add(s.outLate))
		switch {
		case inP == nil && outP == nil:
			ev.anomaly(rec, AnomalyAbsent, "waiver", rec.Shift.ScheduledMin, "")
			ev.addReason("absent", []string{"absent: no punch between ", winFrom, " and ", winTo}, []string{"旷工：", winFrom, " 至 ", winTo, " 之间没有打卡"})
		case inP == nil:
			ev.anomaly(rec, AnomalyMissingIn, "makeup_punch", 0, "")
			ev.addReason("missing_in", []string{"missing in-punch: no punch near the start ", hhmm(in.start), " (the window opens ", winFrom, ")"}, []string{"上班缺卡：班次开始 ", hhmm(in.start), " 前后没有打卡（打卡时间从 ", winFrom, " 开始）"})
		case outP == nil:
			ev.anomaly(rec, AnomalyMissingOut, "makeup_punch", 0, "")
			ev.addReason("missing_out", []string{"missing out-punch: no punch near the end ", hhmm(in.end), " (the window closes ", winTo, ")"}, []string{"下班缺卡：班次结束 ", hhmm(in.end), " 前后没有打卡（打卡时间到 ", winTo, " 结束）"})
		}
	}

	if inP != nil && outP != nil {
		if a, b := truncMin(inP.unix), truncMin(outP.unix); b > a {
			secs := b - a
			for _, br := range ev.breaks[in.brk0:in.brk1] {
				secs -= overlap(a, b, br[0], br[1])
			}
			rec.PresentMin = int(secs / 60)
		}
		a, b := max(inP.unix, in.s), min(outP.unix, in.e)
		if b > a {
			secs := b - a
			for _, br := range ev.breaks[in.brk0:in.brk1] {
				secs -= overlap(a, b, br[0], br[1])
			}
			rec.WorkedMin = int(secs / 60)
		}
		ev.workedReason(rec.WorkedMin, rec.Shift.ScheduledMin)
		if f := s.Flex; f != nil && complete && rec.WorkedMin < f.RequiredMin {
			short := f.RequiredMin - rec.WorkedMin
			ev.anomaly(rec, AnomalyShortHours, "waiver", short, "")
			ev.addReason("short_hours", []string{"short by ", enMin(short), ": worked ", enDur(rec.WorkedMin), " of the required ", enDur(f.RequiredMin)}, []string{"工时不足 ", zhMin(short), "：工作 ", zhDur(rec.WorkedMin), "，要求 ", zhDur(f.RequiredMin)})
		}
		if complete {
			ev.shiftOvertime(rec, in, outP)
		}
	}
	ev.punchAnomalies(rec, inP, outP)
}

// shiftOvertime computes overtime on a shift day: past the end on workdays,
// all the time worked when a rotation works through a holiday.
func (ev *evaluation) shiftOvertime(rec *DayRecord, in *inst, outP *pin) {
	rs := &ev.e.rules.Overtime
	s := ev.plans[in.day].shift
	if rec.DayType == DayHoliday {
		ev.overtime(rec, DayHoliday, &rs.Holiday, rec.WorkedMin, []string{"all ", enDur(rec.WorkedMin), " worked on a holiday"}, []string{"节假日工作 ", zhDur(rec.WorkedMin), " 全部计入"})
		return
	}
	rule := &rs.Workday
	if !rule.Enabled {
		return
	}
	if f := s.Flex; f != nil {
		raw := rec.WorkedMin - f.RequiredMin - rule.StartAfterMin
		ev.overtime(rec, DayWorkday, rule, raw, []string{"worked ", enDur(rec.WorkedMin), ", required ", enDur(f.RequiredMin)}, []string{"工作 ", zhDur(rec.WorkedMin), "，要求 ", zhDur(f.RequiredMin)})
		return
	}
	from := in.e + int64(rule.StartAfterMin)*60
	raw := int((truncMin(outP.unix) - from) / 60)
	if raw <= 0 && truncMin(outP.unix) <= in.e {
		return
	}
	fromClock := hhmm(time.Unix(from, 0).In(ev.e.loc))
	ev.overtime(rec, DayWorkday, rule, raw, []string{"out-punch ", hhmm(outP.use.Time), ", overtime counts from ", fromClock}, []string{"下班打卡 ", hhmm(outP.use.Time), "，加班从 ", fromClock, " 起算"})
}

// offDay evaluates a rest day or holiday without a shift: punches there are
// overtime of the day's type.
func (ev *evaluation) offDay(rec *DayRecord, loose []int32) {
	e := ev.e
	if !ev.now.IsZero() && ev.now.Before(rec.Date.AddDays(1).At(0, e.loc)) {
		rec.Provisional = true
	}
	use := ev.use[:0]
	for _, k32 := range loose {
		if k := int(k32); ev.pins[k].leader == k && ev.pins[k].rejected == nil {
			use = append(use, k)
		}
	}
	ev.use = use
	if len(use) == 0 {
		return
	}
	first, last := &ev.pins[use[0]], &ev.pins[use[len(use)-1]]
	setRole := func(k int, role Role) {
		ev.pins[k].use.Role = role
		rec.Punches[ev.pins[k].pos].Role = role
	}
	setRole(use[0], RoleIn)
	rec.In = &rec.Punches[first.pos]
	if len(use) == 1 {
		ev.addReason("single_punch", []string{"one punch (", hhmm(first.use.Time), ") on a ", enDayType(rec.DayType), ": no overtime without a second punch"}, []string{zhDayType(rec.DayType), "只有一次打卡（", hhmm(first.use.Time), "），没有第二次打卡不计加班"})
		ev.punchAnomalies(rec, first, nil)
		return
	}
	for _, k := range use[1 : len(use)-1] {
		setRole(k, RoleExtra)
	}
	setRole(use[len(use)-1], RoleOut)
	rec.Out = &rec.Punches[last.pos]
	rec.WorkedMin = int((truncMin(last.unix) - truncMin(first.unix)) / 60)
	rec.PresentMin = rec.WorkedMin
	rule := &e.rules.Overtime.RestDay
	if rec.DayType == DayHoliday {
		rule = &e.rules.Overtime.Holiday
	}
	complete := !rec.Provisional
	if complete {
		ev.overtime(rec, rec.DayType, rule, rec.WorkedMin, []string{"punches ", hhmm(first.use.Time), " to ", hhmm(last.use.Time), " on a ", enDayType(rec.DayType)}, []string{zhDayType(rec.DayType), "打卡 ", hhmm(first.use.Time), " 至 ", hhmm(last.use.Time)})
	}
	ev.punchAnomalies(rec, first, last)
}

// overtime applies an overtime rule to raw minutes.
// whyEN and whyZH are the parts of the explanation of raw.
func (ev *evaluation) overtime(rec *DayRecord, dt DayType, rule *OvertimeRule, raw int, whyEN, whyZH []string) {
	// The parts go to stack arrays: texts are built only by addReason.
	var enBuf, zhBuf [16]string
	en, zh := enBuf[:0], zhBuf[:0]
	if !rule.Enabled {
		if raw > 0 {
			en = append(append(append(en, "no overtime: "), whyEN...), ", but ", enDayType(dt), " overtime is not enabled")
			zh = append(append(append(zh, "不计加班："), whyZH...), "，但未启用", zhDayType(dt), "加班")
			ev.addReason("overtime_off", en, zh)
		}
		return
	}
	if raw <= 0 {
		return
	}
	if raw < rule.MinMin {
		en = append(append(append(en, "no overtime: ", enMin(raw), " is below the minimum of ", enMin(rule.MinMin), " ("), whyEN...), ")")
		zh = append(append(append(zh, "不计加班：", zhMin(raw), " 不足最少 ", zhMin(rule.MinMin), "（"), whyZH...), "）")
		ev.addReason("overtime_below_min", en, zh)
		return
	}
	ot := raw
	rounded, capped := false, false
	if rule.RoundMin > 1 {
		ot = raw / rule.RoundMin * rule.RoundMin
		rounded = true
	}
	if rule.MaxMin > 0 && ot > rule.MaxMin {
		ot = rule.MaxMin
		capped = true
	}
	if ot <= 0 {
		return
	}
	rec.OvertimeMin, rec.OvertimeType = ot, dt
	en = append(append(en, "overtime ", enMin(ot), " (", enDayType(dt), "): "), whyEN...)
	zh = append(append(zh, zhDayType(dt), "加班 ", zhMin(ot), "："), whyZH...)
	if rounded {
		en = append(en, ", rounded down to ", enMin(rule.RoundMin), " steps")
		zh = append(zh, "，按 ", zhMin(rule.RoundMin), " 向下取整")
	}
	if capped {
		en = append(en, ", capped at ", enMin(rule.MaxMin))
		zh = append(zh, "，上限 ", zhMin(rule.MaxMin))
	}
	ev.addReason("overtime", en, zh)
	if rule.NeedsApproval {
		ev.anomaly(rec, AnomalyOvertime, "overtime", ot, "")
	}
}

// punchAnomalies adds the location, clock and verification findings of the
// punches the day uses.
func (ev *evaluation) punchAnomalies(rec *DayRecord, used ...*pin) {
	e := ev.e
	for _, p := range used {
		if p == nil {
			continue
		}
		at := hhmm(p.use.Time)
		switch p.locCode {
		case AnomalyOutOfFence:
			ev.anomaly(rec, AnomalyOutOfFence, "location", 0, p.use.ID)
			ev.addReason("out_of_fence", []string{"punch ", at, " (", string(p.use.Method), ") is outside every geofence and allowed network: the direct manager must approve it"}, []string{at, " 的打卡（", string(p.use.Method), "）不在任何考勤范围或允许的网络内，需直属上级审批"})
		case AnomalyLocUncertain:
			ev.anomaly(rec, AnomalyLocUncertain, "location", 0, p.use.ID)
			ev.addReason("location_uncertain", []string{"punch ", at, " is too imprecise to place inside or outside fence ", p.use.Fence, ": the direct manager must approve it"}, []string{at, " 的打卡定位精度不足，无法判断是否在 ", p.use.Fence, " 范围内，需直属上级审批"})
		case AnomalyNoLocation:
			ev.anomaly(rec, AnomalyNoLocation, "location", 0, p.use.ID)
			ev.addReason("no_location", []string{"punch ", at, " (", string(p.use.Method), ") has no location and no allowed network: the direct manager must approve it"}, []string{at, " 的打卡（", string(p.use.Method), "）没有位置信息也不在允许的网络内，需直属上级审批"})
		}
		if p.use.ClockCorrected {
			if e.rules.Exceptions.ClockCorrected == "accept" {
				ev.addReason("clock_corrected", []string{"punch ", at, " was made offline with a wrong device clock; its time was corrected"}, []string{at, " 的打卡为离线打卡，设备时钟有误，时间已校正"})
			} else {
				ev.anomaly(rec, AnomalyClockCorrected, "clock", 0, p.use.ID)
				ev.addReason("clock_corrected", []string{"punch ", at, " was made offline with a wrong device clock; its corrected time needs the direct manager's approval"}, []string{at, " 的打卡为离线打卡，设备时钟有误，校正后的时间需直属上级确认"})
			}
		}
		if e.verify != nil && !p.use.Correction {
			ev.verification(rec, p)
		}
		if p.serial && e.rules.Exceptions.NFCSerial == NFCSerialSecondFactor {
			ev.secondFactor(rec, p)
		}
	}
}

// secondFactor checks that a punch by an NFC card's serial alone is backed
// by a punch of another kind (any method but a serial-only card) within
// the verification window, or DefaultSecondFactorMin.
func (ev *evaluation) secondFactor(rec *DayRecord, p *pin) {
	winMin := DefaultSecondFactorMin
	if v := ev.e.rules.Exceptions.Verification; v != nil && v.WindowMin > 0 {
		winMin = v.WindowMin
	}
	win := int64(winMin) * 60
	at := hhmm(p.use.Time)
	for i := range ev.pins {
		q := &ev.pins[i]
		if q.rejected != nil || q.use.Correction || q.serial || q.unix < p.unix-win || q.unix > p.unix+win {
			continue
		}
		ev.addReason("nfc_serial_backed", []string{"punch ", at, " by an NFC card's serial number is backed by ", string(q.use.Method), " at ", hhmm(q.use.Time)}, []string{at, " 的 NFC 卡号打卡已由 ", hhmm(q.use.Time), " 的 ", string(q.use.Method), " 打卡确认"})
		return
	}
	ev.anomaly(rec, AnomalyUnverified, "verification", 0, p.use.ID)
	ev.addReason("nfc_serial_unverified", []string{"punch ", at, " was made with an NFC card known by its serial number alone, which can be copied, and no other punch backs it within ", enMin(winMin), ": the direct manager must approve it"}, []string{at, " 的打卡仅凭 NFC 卡号（可被复制），", zhMin(winMin), " 内没有其他方式的打卡确认，需直属上级审批"})
}

// verification checks that p is backed by two different methods within
// the verification window.
func (ev *evaluation) verification(rec *DayRecord, p *pin) {
	v := ev.e.rules.Exceptions.Verification
	win := int64(v.WindowMin) * 60
	var buf [8]attendance.Method
	seen := buf[:0]
	for i := range ev.pins {
		q := &ev.pins[i]
		if q.rejected != nil || q.use.Correction || q.unix < p.unix-win || q.unix > p.unix+win || !ev.e.verify[q.use.Method] {
			continue
		}
		dup := false
		for _, m := range seen {
			dup = dup || m == q.use.Method
		}
		if !dup {
			seen = append(seen, q.use.Method)
		}
	}
	at := hhmm(p.use.Time)
	if len(seen) >= 2 {
		ev.addReason("verified", []string{"punch ", at, " verified by ", ev.joinMethods(seen), " within ", enMin(v.WindowMin)}, []string{at, " 的打卡已在 ", zhMin(v.WindowMin), " 内通过 ", ev.joinMethods(seen), " 双重验证"})
		return
	}
	ev.anomaly(rec, AnomalyUnverified, "verification", 0, p.use.ID)
	ev.addReason("verification_incomplete", []string{"punch ", at, " is not verified by two methods (", ev.joinMethods(v.Methods), ") within ", enMin(v.WindowMin), "; only ", ev.joinMethods(seen), ": the direct manager must approve it"}, []string{at, " 的打卡未在 ", zhMin(v.WindowMin), " 内完成两种方式（", ev.joinMethods(v.Methods), "）验证，仅有 ", ev.joinMethods(seen), "，需直属上级审批"})
}

func (ev *evaluation) joinMethods(ms []attendance.Method) string {
	switch len(ms) {
	case 0:
		return "none"
	case 1:
		return string(ms[0])
	}
	var buf [64]byte
	b := buf[:0]
	for i, m := range ms {
		if i > 0 {
			b = append(b, '+')
		}
		b = append(b, m...)
	}
	return ev.intern(b)
}

// anomaly records a finding with the approval it needs and the state of
// any matching approval.
func (ev *evaluation) anomaly(rec *DayRecord, code AnomalyCode, kind string, mins int, punchID string) {
	a := Anomaly{Code: code, Minutes: mins, PunchID: punchID, Approval: ApprovalNeed{
		Kind: kind, Approver: "direct_manager", ApproverID: ev.emp.managerID, State: ApprovalRequired,
	}}
	var best *Approval
	for i := range ev.approvals {
		x := &ev.approvals[i]
		if x.EmployeeID != ev.emp.e.ID || x.Anomaly != code {
			continue
		}
		if punchID != "" && x.PunchID != punchID || punchID == "" && (x.Date != rec.Date || x.PunchID != "") {
			continue
		}
		if best == nil || stateRank(x.State) > stateRank(best.State) || x.State == best.State && x.ID < best.ID {
			best = x
		}
	}
	if best != nil {
		a.Approval.State, a.Approval.ApprovalID = best.State, best.ID
		if best.By != "" {
			a.Approval.ApproverID = best.By
		}
	}
	rec.Anomalies = append(rec.Anomalies, a)
}

// stateRank orders approvals for one anomaly: a decision beats a request.
func stateRank(s ApprovalState) int {
	switch s {
	case ApprovalApproved:
		return 3
	case ApprovalRejected:
		return 2
	case ApprovalPending:
		return 1
	}
	return 0
}

var statusOrder = []struct {
	code   AnomalyCode
	status Status
}{
	{AnomalyAbsent, StatusAbsent},
	{AnomalyMissingIn, StatusMissingIn},
	{AnomalyMissingOut, StatusMissingOut},
	{AnomalySeriouslyLate, StatusSeriouslyLate},
	{AnomalyLate, StatusLate},
	{AnomalyEarlyLeave, StatusEarlyLeave},
	{AnomalyShortHours, StatusShortHours},
	{AnomalyOutOfFence, StatusNeedsApproval},
	{AnomalyLocUncertain, StatusNeedsApproval},
	{AnomalyNoLocation, StatusNeedsApproval},
	{AnomalyUnverified, StatusNeedsApproval},
	{AnomalyClockCorrected, StatusNeedsApproval},
}

// status is the most serious unresolved anomaly's status; approved ones
// are resolved.
func (ev *evaluation) status(rec *DayRecord) Status {
	if rec.Status == StatusScheduled {
		return rec.Status
	}
	for _, o := range statusOrder {
		for _, a := range rec.Anomalies {
			if a.Code == o.code && a.Approval.State != ApprovalApproved {
				return o.status
			}
		}
	}
	switch {
	case rec.Shift != nil && rec.Provisional:
		return StatusInProgress
	case rec.Shift != nil:
		return StatusNormal
	case rec.DayType == DayHoliday:
		return StatusHoliday
	}
	return StatusRest
}
