package rules_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"

	"punchclock/app/attendance"
	"punchclock/app/rules"
)

// fuzzInput turns bytes into punches of two employees over a week around
// the 2026 Spring Festival and the Berlin spring DST night is not needed
// here: Shanghai has no DST, New York has; the rule set mixes everything.
func fuzzInput(data []byte, zone string) *rules.Input {
	in := genInput(3)
	in.Zone = zone
	in.Rules.Exceptions.Verification = &rules.Verification{Methods: []attendance.Method{attendance.MethodGPS, attendance.MethodFace}, WindowMin: 15}
	base := rules.NewDate(2026, 2, 12).At(0, time.UTC).Add(-8 * time.Hour)
	methods := attendance.Methods
	for i := 0; i+3 <= len(data) && i < 3*200; i += 3 {
		b0, b1, b2 := data[i], data[i+1], data[i+2]
		p := rules.Punch{
			ID:         "p" + strconv.Itoa(i/3),
			EmployeeID: "e" + strconv.Itoa(int(b2>>6)%3),
			Time:       base.Add(time.Duration(int(b0)<<8|int(b1)) * time.Minute / 6),
			Method:     methods[int(b2)%len(methods)],
		}
		switch b2 >> 4 & 3 {
		case 1:
			p.Direction = attendance.DirectionIn
		case 2:
			p.Direction = attendance.DirectionOut
		}
		if b2&8 != 0 {
			p.ClockCorrected = true
		}
		if p.Method == attendance.MethodGPS {
			p.Location = &attendance.Location{Lat: 31.2304 + float64(b1)/10000, Lng: 121.4737, AccuracyM: float64(b0)}
		}
		in.Punches = append(in.Punches, p)
		if b0&1 == 1 && b1&3 == 0 {
			in.Corrections = append(in.Corrections, rules.Correction{ID: "c" + strconv.Itoa(i), EmployeeID: p.EmployeeID, Time: p.Time.Add(7 * time.Hour)})
		}
		if b1&7 == 1 {
			in.Approvals = append(in.Approvals, rules.Approval{ID: "a" + strconv.Itoa(i), EmployeeID: p.EmployeeID, Anomaly: rules.AnomalyOutOfFence, PunchID: p.ID, State: rules.ApprovalRejected})
		}
	}
	return in
}

// FuzzEvaluate checks invariants: no panic, the result does not depend on
// the order of punches, corrections and approvals, evaluating twice gives
// the same result, and every punch is accounted for at most once.
func FuzzEvaluate(f *testing.F) {
	f.Add([]byte{}, false)
	f.Add([]byte{0x01, 0x10, 0x00, 0x02, 0x30, 0x40, 0x0a, 0x00, 0x81}, false)
	f.Add([]byte{0x05, 0x46, 0x02, 0x05, 0x47, 0x03, 0x08, 0xe8, 0x13, 0x09, 0x00, 0x24}, true)
	seed := make([]byte, 0, 300)
	for i := range 100 {
		seed = append(seed, byte(i*7), byte(i*31), byte(i*13))
	}
	f.Add(seed, false)
	f.Add(seed, true)
	f.Fuzz(func(t *testing.T, data []byte, ny bool) {
		zone := "Asia/Shanghai"
		if ny {
			zone = "America/New_York"
		}
		from, to := rules.NewDate(2026, 2, 12), rules.NewDate(2026, 2, 18)
		in := fuzzInput(data, zone)
		a, err := rules.Evaluate(in, from, to)
		if err != nil {
			t.Fatal(err)
		}
		again, _ := rules.Evaluate(in, from, to)
		if !equalJSON(t, a, again) {
			t.Fatal("evaluating twice gave different results")
		}
		slices.Reverse(in.Punches)
		if len(in.Punches) > 2 {
			in.Punches = append(in.Punches[1:], in.Punches[0])
		}
		slices.Reverse(in.Corrections)
		slices.Reverse(in.Approvals)
		b, err := rules.EvaluateParallel(in, from, to, 3)
		if err != nil {
			t.Fatal(err)
		}
		if !equalJSON(t, a, b) {
			t.Fatal("the result depends on the order of punches")
		}
		if !sameStream(t, in, from, to, 2, a) {
			t.Fatal("the streamed records differ")
		}
		if len(a) != len(in.Employees)*(to.Sub(from)+1) {
			t.Fatalf("%d records", len(a))
		}
		seen := map[string]bool{}
		for _, r := range a {
			if r.Status == "" || r.LateMin < 0 || r.EarlyMin < 0 || r.WorkedMin < 0 || r.OvertimeMin < 0 {
				t.Fatalf("bad record %+v", r)
			}
			if r.Shift != nil && r.WorkedMin > r.Shift.ScheduledMin+24*60 {
				t.Fatalf("worked %d of %d", r.WorkedMin, r.Shift.ScheduledMin)
			}
			for _, p := range r.Punches {
				if seen[p.ID] {
					t.Fatalf("punch %s in two records", p.ID)
				}
				seen[p.ID] = true
			}
			if r.In != nil && r.Out != nil && r.Out.Time.Before(r.In.Time) {
				t.Fatalf("%s %s: out %s before in %s", r.EmployeeID, r.Date, r.Out.Time, r.In.Time)
			}
		}
	})
}

func equalJSON(t *testing.T, a, b any) bool {
	t.Helper()
	x, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	y, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return string(x) == string(y)
}

// reuseInput is 200 employees over three weeks with overrides,
// corrections, rejected punches and two-method verification.
func reuseInput(t *testing.T) (*rules.Input, rules.Date, rules.Date) {
	t.Helper()
	from, to := rules.NewDate(2026, 9, 20), rules.NewDate(2026, 10, 12)
	in := genInput(200)
	in.Rules.Exceptions.Verification = &rules.Verification{Methods: []attendance.Method{attendance.MethodGPS, attendance.MethodFace}, WindowMin: 15}
	if err := addPunches(in, from, to, 3); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 40; i++ {
		emp := "e" + strconv.Itoa(i*5)
		in.Schedule.Overrides = append(in.Schedule.Overrides, rules.Override{EmployeeID: emp, Date: from + rules.Date(i%20), Shift: []string{"", "night", "flex"}[i%3]})
		p := in.Punches[i*37]
		in.Corrections = append(in.Corrections, rules.Correction{ID: "c" + strconv.Itoa(i), EmployeeID: p.EmployeeID, Time: p.Time.Add(9 * time.Hour)})
		in.Approvals = append(in.Approvals, rules.Approval{ID: "a" + strconv.Itoa(i), EmployeeID: p.EmployeeID, PunchID: p.ID, Anomaly: rules.AnomalyOutOfFence, State: rules.ApprovalRejected})
	}
	return in, from, to
}

// TestWorkerReuse checks that a worker, which reuses its working memory
// and shares texts from one employee to the next, gives each employee the
// records a fresh evaluation of that employee alone gives.
func TestWorkerReuse(t *testing.T) {
	in, from, to := reuseInput(t)
	all, err := rules.EvaluateParallel(in, from, to, 1)
	if err != nil {
		t.Fatal(err)
	}
	e, err := rules.Compile(in)
	if err != nil {
		t.Fatal(err)
	}
	days := to.Sub(from) + 1
	for i, emp := range in.Employees {
		var ps []rules.Punch
		var cs []rules.Correction
		for _, p := range in.Punches {
			if p.EmployeeID == emp.ID {
				ps = append(ps, p)
			}
		}
		for _, c := range in.Corrections {
			if c.EmployeeID == emp.ID {
				cs = append(cs, c)
			}
		}
		one, err := e.EvaluateEmployee(emp.ID, ps, cs, in.Approvals, from, to)
		if err != nil {
			t.Fatal(err)
		}
		if !equalJSON(t, one, all[i*days:(i+1)*days]) {
			t.Fatalf("%s: evaluated alone, the records differ", emp.ID)
		}
	}
}

// sameStream reports whether EvaluateStream hands the records of all, an
// evaluation of in, employee by employee in order. Each call's records are
// encoded at once: their memory is reused after the call.
func sameStream(t *testing.T, in *rules.Input, from, to rules.Date, workers int, all []rules.DayRecord) bool {
	t.Helper()
	days := to.Sub(from) + 1
	i := 0
	same := true
	var kept []rules.DayRecord
	err := rules.EvaluateStream(in, from, to, workers, func(recs []rules.DayRecord) error {
		if len(recs) != days || (i+1)*days > len(all) || !equalJSON(t, recs, all[i*days:(i+1)*days]) {
			same = false
		}
		for j := range recs {
			if want, _ := json.Marshal(&recs[j]); string(recs[j].AppendJSON(nil)) != string(want) {
				t.Errorf("AppendJSON differs from json.Marshal:\n%s\n%s", recs[j].AppendJSON(nil), want)
				same = false
			}
		}
		kept = append(kept, rules.CloneRecords(recs)...)
		i++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Copies survive the reuse, In and Out pointing into their punches.
	inside := func(p *rules.PunchUse, ps []rules.PunchUse) bool {
		for k := range ps {
			if p == &ps[k] {
				return true
			}
		}
		return p == nil
	}
	for j := range kept {
		r := &kept[j]
		same = same && inside(r.In, r.Punches) && inside(r.Out, r.Punches)
	}
	return same && i*days == len(all) && equalJSON(t, kept, all)
}

// TestEvaluateStream checks that the streamed records are those of
// EvaluateParallel, in order, across chunks and workers, and that an error
// of the callback stops the evaluation and is returned.
func TestEvaluateStream(t *testing.T) {
	in, from, to := reuseInput(t)
	all, err := rules.EvaluateParallel(in, from, to, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, workers := range []int{1, 2, 5} {
		if !sameStream(t, in, from, to, workers, all) {
			t.Errorf("%d workers: the streamed records differ from EvaluateParallel's", workers)
		}
	}
	stop := errors.New("enough")
	calls := 0
	err = rules.EvaluateStream(in, from, to, 3, func([]rules.DayRecord) error {
		calls++
		if calls == 70 {
			return stop
		}
		return nil
	})
	if err != stop || calls != 70 {
		t.Errorf("a callback error: %v after %d calls, want %v after 70", err, calls, stop)
	}
	in.Punches = append(in.Punches, rules.Punch{ID: "x", EmployeeID: "nobody", Time: from.At(0, time.UTC)})
	if err := rules.EvaluateStream(in, from, to, 2, func([]rules.DayRecord) error { return nil }); err == nil {
		t.Error("a punch of an unknown employee streamed without error")
	}
}

// TestAppendJSON checks AppendJSON against json.Marshal on a record with
// every field set and texts that need escaping.
func TestAppendJSON(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	at := time.Date(2026, 10, 8, 9, 11, 59, 5000, sh)
	p := rules.PunchUse{ID: "p<1>", Time: at, Method: attendance.MethodGPS, Role: rules.RoleMerged, MergedInto: "p&0", Correction: true,
		ClockCorrected: true, Location: rules.Uncertain, Fence: "fence \"a\"", Network: "10.0.0.0/8\n"}
	r := rules.DayRecord{EmployeeID: "e\u2028\xff", Date: rules.NewDate(2026, 10, 8), CycleStart: rules.NewDate(2026, 9, 26), DayType: rules.DayWorkday,
		DayName: "国庆节\t<National Day>", MakeupWorkday: true, Status: rules.StatusLate, Provisional: true,
		Shift:   &rules.ShiftInfo{ID: "night", Name: "Night & day", Start: at, End: at.Add(8 * time.Hour), ScheduledMin: 420, Flexible: true, Schedule: "rot", Source: "employee"},
		LateMin: 11, EarlyMin: -1, WorkedMin: 1 << 40, OvertimeMin: 30, OvertimeType: rules.DayHoliday,
		Punches:   []rules.PunchUse{p, {ID: "p2", Time: at.UTC()}},
		Anomalies: []rules.Anomaly{{Code: rules.AnomalyLate, Minutes: 11, PunchID: "p2", Approval: rules.ApprovalNeed{Kind: "waiver", Approver: "direct_manager", ApproverID: "m\x00", State: rules.ApprovalApproved, ApprovalID: "a1"}}, {}},
		Reasons:   []rules.Reason{{Code: "late", EN: "late 11 min: <09:11>", ZH: "迟到 11 分钟"}, {}},
	}
	r.In, r.Out = &r.Punches[0], &r.Punches[1]
	for _, rec := range []rules.DayRecord{r, {}, {Punches: []rules.PunchUse{}, Anomalies: []rules.Anomaly{}}} {
		want, err := json.Marshal(&rec)
		if err != nil {
			t.Fatal(err)
		}
		if got := rec.AppendJSON([]byte("x")); string(got[1:]) != string(want) || got[0] != 'x' {
			t.Errorf("AppendJSON:\n%s\nwant\n%s", got, want)
		}
		// One language or none: the same JSON without the other texts.
		for _, lang := range []string{rules.ReasonsEN, rules.ReasonsZH, rules.ReasonsCode, rules.ReasonsBoth} {
			var full, got map[string]any
			if err := json.Unmarshal(want, &full); err != nil {
				t.Fatal(err)
			}
			if reasons, _ := full["reasons"].([]any); reasons != nil {
				for _, x := range reasons {
					m := x.(map[string]any)
					if lang != rules.ReasonsBoth && lang != rules.ReasonsEN {
						delete(m, "en")
					}
					if lang != rules.ReasonsBoth && lang != rules.ReasonsZH {
						delete(m, "zh")
					}
				}
			}
			b := rec.AppendJSONLang(nil, lang)
			if err := json.Unmarshal(b, &got); err != nil {
				t.Fatalf("%s: %v: %s", lang, err, b)
			}
			if a, b := fmt.Sprint(got), fmt.Sprint(full); a != b {
				t.Errorf("AppendJSONLang %s:\n%s\nwant\n%s", lang, a, b)
			}
		}
	}
}
