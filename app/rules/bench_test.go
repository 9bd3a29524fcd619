package rules_test

import (
	"testing"

	"punchclock/app/rules"
)

// benchInput is October 2026 (National Day holidays and two make-up
// workdays) for n employees with rotations, night shifts and flexible hours.
func benchInput(b *testing.B, n int) (*rules.Input, rules.Date, rules.Date) {
	b.Helper()
	from, to := rules.NewDate(2026, 10, 1), rules.NewDate(2026, 10, 31)
	in := genInput(n)
	if err := addPunches(in, from, to, 1); err != nil {
		b.Fatal(err)
	}
	return in, from, to
}

// BenchmarkEvaluate10kx31 evaluates 10,000 employees over 31 days, from
// the input to the day records (compilation included), on all CPUs, the
// records streamed employee by employee to a consumer that totals them
// (EvaluateStream): what a report or the records API does with them. The
// totals are checked against those of EvaluateParallel's records.
func BenchmarkEvaluate10kx31(b *testing.B) {
	in, from, to := benchInput(b, 10000)
	days := float64(len(in.Employees) * (to.Sub(from) + 1))
	all, err := rules.EvaluateParallel(in, from, to, 0)
	if err != nil {
		b.Fatal(err)
	}
	var want totals
	want.add(all)
	all = nil
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		var got totals
		err := rules.EvaluateStream(in, from, to, 0, func(recs []rules.DayRecord) error {
			got.add(recs)
			return nil
		})
		if err != nil || got != want {
			b.Fatalf("%v: totals %+v, want %+v", err, got, want)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/days, "ns/employee-day")
	b.ReportMetric(float64(len(in.Punches)), "punches")
}

// totals sums what a payroll report reads of records.
type totals struct {
	records, punches, anomalies, reasons int
	late, worked, overtime               int
	status                               [16]int
}

func (t *totals) add(recs []rules.DayRecord) {
	for i := range recs {
		r := &recs[i]
		t.records++
		t.punches += len(r.Punches)
		t.anomalies += len(r.Anomalies)
		t.reasons += len(r.Reasons)
		t.late += r.LateMin
		t.worked += r.WorkedMin
		t.overtime += r.OvertimeMin
		t.status[len(r.Status)%16]++
	}
}

// BenchmarkEvaluate10kx31Materialised is BenchmarkEvaluate10kx31 with
// every record kept: EvaluateParallel's one slice of 310,000 records.
func BenchmarkEvaluate10kx31Materialised(b *testing.B) {
	in, from, to := benchInput(b, 10000)
	days := float64(len(in.Employees) * (to.Sub(from) + 1))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		recs, err := rules.EvaluateParallel(in, from, to, 0)
		if err != nil || len(recs) != int(days) {
			b.Fatal(err, len(recs))
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/days, "ns/employee-day")
	b.ReportMetric(float64(len(in.Punches)), "punches")
}

// BenchmarkRecomputeAfterRuleChange is what an admin's "preview" costs: a
// new grace period, the month recomputed for everyone and compared with the
// stored records.
func BenchmarkRecomputeAfterRuleChange(b *testing.B) {
	in, from, to := benchInput(b, 10000)
	before, err := rules.EvaluateParallel(in, from, to, 0)
	if err != nil {
		b.Fatal(err)
	}
	days := float64(len(before))
	changed := *in
	changed.Rules.Exceptions.LateGraceMin = 10
	changed.Rules.Overtime.Workday.RoundMin = 15
	b.ReportAllocs()
	b.ResetTimer()
	var n int
	for b.Loop() {
		after, err := rules.EvaluateParallel(&changed, from, to, 0)
		if err != nil {
			b.Fatal(err)
		}
		n = len(rules.Diff(before, after))
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/days, "ns/employee-day")
	b.ReportMetric(float64(n), "changed-days")
}
