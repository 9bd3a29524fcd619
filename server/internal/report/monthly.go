package report

import (
	"slices"
	"time"

	"punchclock/app/rules"
)

// monthlyColumns are the monthly sheet's columns (the words of WeCom's
// daily report).
var monthlyColumns = slices.Concat(whoColumns, []column{
	{"date", "Date", "日期"},
	{"day_type", "Day type", "日期类型"},
	{"status", "Status", "考勤结果"},
	{"shift", "Shift", "班次"},
	{"first_in", "First in", "最早上班打卡"},
	{"last_out", "Last out", "最晚下班打卡"},
	{"late_min", "Late (min)", "迟到时长（分钟）"},
	{"early_min", "Early leave (min)", "早退时长（分钟）"},
	{"worked_min", "Worked in shift (min)", "班内工作时长（分钟）"},
	{"present_min", "Present (min)", "实际工作时长（分钟）"},
	{"overtime_min", "Overtime (min)", "加班时长（分钟）"},
	{"overtime_type", "Overtime type", "加班类型"},
	{"anomalies", "Anomalies", "异常"},
	{"approvals", "Approvals", "审批状态"},
})

// monthly sets r to rec's row of the monthly sheet and returns it: day
// type, status and overtime type in words of the sheet's language, first
// in and last out as wall clocks of the site's zone, anomaly codes and
// approvals as kind:state, space separated.
func (o *org) monthly(r []cell, rec *rules.DayRecord) []cell {
	loc := o.who(r, rec.EmployeeID)
	r[3], r[4], r[5] = dateCell(rec.Date), wordCell(Word(o.lang, string(rec.DayType))), wordCell(Word(o.lang, string(rec.Status)))
	r[6] = textCell("")
	if rec.Shift != nil {
		r[6].s = rec.Shift.Name
		if r[6].s == "" {
			r[6].s = rec.Shift.ID
		}
	}
	r[7], r[8] = timeCell(time.Time{}), timeCell(time.Time{})
	if rec.In != nil {
		r[7].t = wall(rec.In.Time, loc)
	}
	if rec.Out != nil {
		r[8].t = wall(rec.Out.Time, loc)
	}
	for i, n := range [...]int{rec.LateMin, rec.EarlyMin, rec.WorkedMin, rec.PresentMin, rec.OvertimeMin} {
		r[9+i] = intCell(n)
	}
	r[14] = wordCell(Word(o.lang, string(rec.OvertimeType)))
	var anomalies, approvals []byte
	for i, a := range rec.Anomalies {
		if i > 0 {
			anomalies, approvals = append(anomalies, ' '), append(approvals, ' ')
		}
		anomalies = append(anomalies, a.Code...)
		approvals = append(append(append(approvals, a.Approval.Kind...), ':'), a.Approval.State...)
	}
	r[15], r[16] = wordCell(string(anomalies)), wordCell(string(approvals))
	return r
}
