package rules

import (
	"punchclock/app/jsonenc"
)

// AppendJSON appends r's JSON, byte for byte what encoding/json's Marshal
// writes, several times faster: the records API writes a company's month
// with it.
func (r *DayRecord) AppendJSON(b []byte) []byte { return r.AppendJSONLang(b, ReasonsBoth) }

// What of each reason AppendJSONLang writes: its code always, and its
// English text, its Chinese one, both or neither. Half of a record's JSON
// is its reasons in two languages, which a payroll system reading codes
// does not want.
const (
	ReasonsBoth = "both"
	ReasonsEN   = "en"
	ReasonsZH   = "zh"
	ReasonsCode = "code"
)

// AppendJSONLang is AppendJSON with each reason's texts as lang says (one
// of the Reasons constants; ReasonsBoth is AppendJSON): the texts left out
// are left out of the JSON, not written empty.
func (r *DayRecord) AppendJSONLang(b []byte, lang string) []byte {
	b = append(b, `{"employee_id":`...)
	b = jsonenc.String(b, r.EmployeeID)
	b = append(b, `,"date":"`...)
	b = r.Date.appendTo(b)
	b = append(b, `","cycle_start":"`...)
	b = r.CycleStart.appendTo(b)
	b = append(b, `","day_type":`...)
	b = jsonenc.String(b, string(r.DayType))
	if r.DayName != "" {
		b = append(b, `,"day_name":`...)
		b = jsonenc.String(b, r.DayName)
	}
	if r.MakeupWorkday {
		b = append(b, `,"makeup_workday":true`...)
	}
	if s := r.Shift; s != nil {
		b = append(b, `,"shift":{"id":`...)
		b = jsonenc.String(b, s.ID)
		if s.Name != "" {
			b = append(b, `,"name":`...)
			b = jsonenc.String(b, s.Name)
		}
		b = append(b, `,"start":`...)
		b = jsonenc.Time(b, s.Start)
		b = append(b, `,"end":`...)
		b = jsonenc.Time(b, s.End)
		b = append(b, `,"scheduled_min":`...)
		b = jsonenc.Int(b, int64(s.ScheduledMin))
		if s.Flexible {
			b = append(b, `,"flexible":true`...)
		}
		if s.Schedule != "" {
			b = append(b, `,"schedule":`...)
			b = jsonenc.String(b, s.Schedule)
		}
		b = append(b, `,"source":`...)
		b = jsonenc.String(b, s.Source)
		b = append(b, '}')
	}
	b = append(b, `,"status":`...)
	b = jsonenc.String(b, string(r.Status))
	if r.Provisional {
		b = append(b, `,"provisional":true`...)
	}
	if r.In != nil {
		b = append(b, `,"in":`...)
		b = r.In.appendJSON(b)
	}
	if r.Out != nil {
		b = append(b, `,"out":`...)
		b = r.Out.appendJSON(b)
	}
	b = append(b, `,"late_min":`...)
	b = jsonenc.Int(b, int64(r.LateMin))
	b = append(b, `,"early_min":`...)
	b = jsonenc.Int(b, int64(r.EarlyMin))
	b = append(b, `,"worked_min":`...)
	b = jsonenc.Int(b, int64(r.WorkedMin))
	if r.PresentMin != 0 {
		b = append(b, `,"present_min":`...)
		b = jsonenc.Int(b, int64(r.PresentMin))
	}
	b = append(b, `,"overtime_min":`...)
	b = jsonenc.Int(b, int64(r.OvertimeMin))
	if r.OvertimeType != "" {
		b = append(b, `,"overtime_type":`...)
		b = jsonenc.String(b, string(r.OvertimeType))
	}
	b = append(b, `,"punches":`...)
	b = appendList(b, r.Punches, func(b []byte, p *PunchUse) []byte { return p.appendJSON(b) })
	b = append(b, `,"anomalies":`...)
	b = appendList(b, r.Anomalies, func(b []byte, a *Anomaly) []byte {
		b = append(b, `{"code":`...)
		b = jsonenc.String(b, string(a.Code))
		if a.Minutes != 0 {
			b = append(b, `,"minutes":`...)
			b = jsonenc.Int(b, int64(a.Minutes))
		}
		if a.PunchID != "" {
			b = append(b, `,"punch_id":`...)
			b = jsonenc.String(b, a.PunchID)
		}
		p := &a.Approval
		b = append(b, `,"approval":{"kind":`...)
		b = jsonenc.String(b, p.Kind)
		b = append(b, `,"approver":`...)
		b = jsonenc.String(b, p.Approver)
		if p.ApproverID != "" {
			b = append(b, `,"approver_id":`...)
			b = jsonenc.String(b, p.ApproverID)
		}
		b = append(b, `,"state":`...)
		b = jsonenc.String(b, string(p.State))
		if p.ApprovalID != "" {
			b = append(b, `,"approval_id":`...)
			b = jsonenc.String(b, p.ApprovalID)
		}
		return append(b, "}}"...)
	})
	b = append(b, `,"reasons":`...)
	b = appendList(b, r.Reasons, func(b []byte, x *Reason) []byte {
		b = append(b, `{"code":`...)
		b = jsonenc.String(b, x.Code)
		if lang == ReasonsBoth || lang == ReasonsEN {
			b = append(b, `,"en":`...)
			b = jsonenc.String(b, x.EN)
		}
		if lang == ReasonsBoth || lang == ReasonsZH {
			b = append(b, `,"zh":`...)
			b = jsonenc.String(b, x.ZH)
		}
		return append(b, '}')
	})
	return append(b, '}')
}

func (p *PunchUse) appendJSON(b []byte) []byte {
	b = append(b, `{"id":`...)
	b = jsonenc.String(b, p.ID)
	b = append(b, `,"time":`...)
	b = jsonenc.Time(b, p.Time)
	b = append(b, `,"method":`...)
	b = jsonenc.String(b, string(p.Method))
	b = append(b, `,"role":`...)
	b = jsonenc.String(b, string(p.Role))
	if p.MergedInto != "" {
		b = append(b, `,"merged_into":`...)
		b = jsonenc.String(b, p.MergedInto)
	}
	if p.Correction {
		b = append(b, `,"correction":true`...)
	}
	if p.ClockCorrected {
		b = append(b, `,"clock_corrected":true`...)
	}
	if p.Location != "" {
		b = append(b, `,"location":`...)
		b = jsonenc.String(b, string(p.Location))
	}
	if p.Fence != "" {
		b = append(b, `,"fence":`...)
		b = jsonenc.String(b, p.Fence)
	}
	if p.Network != "" {
		b = append(b, `,"network":`...)
		b = jsonenc.String(b, p.Network)
	}
	if p.Place != "" {
		b = append(b, `,"place":`...)
		b = jsonenc.String(b, p.Place)
	}
	return append(b, '}')
}

// appendList appends a JSON array of l's elements, null for nil.
func appendList[T any](b []byte, l []T, elem func([]byte, *T) []byte) []byte {
	if l == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i := range l {
		if i > 0 {
			b = append(b, ',')
		}
		b = elem(b, &l[i])
	}
	return append(b, ']')
}
