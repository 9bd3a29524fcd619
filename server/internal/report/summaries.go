package report

import (
	"context"
	"slices"

	"punchclock/app/rules"
	"punchclock/server/internal/dayrec"
)

// overtimeColumns are the overtime summary's columns: one row per
// employee over the range.
var overtimeColumns = slices.Concat(whoColumns, []column{
	{"from", "From", "开始日期"},
	{"to", "To", "结束日期"},
	{"workday_min", "Workday overtime (min)", "工作日加班（分钟）"},
	{"rest_day_min", "Rest day overtime (min)", "休息日加班（分钟）"},
	{"holiday_min", "Holiday overtime (min)", "节假日加班（分钟）"},
	{"total_min", "Total overtime (min)", "加班总时长（分钟）"},
})

// anomalyColumns are the anomaly list's columns: one row per anomaly of
// an employee-day.
var anomalyColumns = slices.Concat(whoColumns, []column{
	{"date", "Date", "日期"},
	{"code", "Anomaly", "异常"},
	{"minutes", "Minutes", "时长（分钟）"},
	{"approval_kind", "Approval", "审批类型"},
	{"approval_state", "Approval state", "审批状态"},
})

// overtime writes one row per employee of e: the overtime minutes of the
// records by the overtime's day type (the day's when the record names
// none), and their total.
func (x *Exporter) overtime(ctx context.Context, sw sheetWriter, o *org, e Export, r []cell) error {
	id, by := "", map[rules.DayType]int{}
	flush := func() error {
		if id == "" {
			return nil
		}
		o.who(r, id)
		r[3], r[4] = dateCell(e.From), dateCell(e.To)
		w, rd, h := by[rules.DayWorkday], by[rules.DayRest], by[rules.DayHoliday]
		r[5], r[6], r[7], r[8] = intCell(w), intCell(rd), intCell(h), intCell(w+rd+h)
		id = ""
		clear(by)
		return sw.Row(r)
	}
	return x.eachPage(ctx, o, e, dayrec.Sink{Records: func(recs []rules.DayRecord) error {
		for i := range recs {
			rec := &recs[i]
			if rec.EmployeeID != id {
				if err := flush(); err != nil {
					return err
				}
				id = rec.EmployeeID
			}
			t := rec.OvertimeType
			if t == "" {
				t = rec.DayType
			}
			by[t] += rec.OvertimeMin
		}
		return nil
	}}, flush)
}

// anomalies writes a row per anomaly of rec.
func (o *org) anomalies(sw sheetWriter, r []cell, rec *rules.DayRecord) error {
	for _, a := range rec.Anomalies {
		o.who(r, rec.EmployeeID)
		r[3], r[4], r[5] = dateCell(rec.Date), wordCell(string(a.Code)), intCell(a.Minutes)
		r[6], r[7] = wordCell(a.Approval.Kind), wordCell(string(a.Approval.State))
		if err := sw.Row(r); err != nil {
			return err
		}
	}
	return nil
}
