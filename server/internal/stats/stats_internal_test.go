package stats

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"punchclock/app/chart"
	"punchclock/app/rules"
	"punchclock/server/internal/dayrec"
	"punchclock/server/internal/demo/demotest"
)

// TestPages: every chart of the demo's organisation, and the days
// behind each reason, are the same read a page of 500 employees at a
// time (one page) and 4 at a time (eight pages): what a page leaves
// behind is only the aggregates, and nothing of a page is lost or
// counted twice.
func TestPages(t *testing.T) {
	now := func() time.Time { return time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC) }
	st, _ := demotest.Seeded(t, now, func(s string) string { return s })
	svc := &Service{Days: &dayrec.Service{Store: st, Now: now}, Store: st}
	ctx := context.Background()
	q := Query{DepartmentID: "hq", From: rules.NewDate(2026, 11, 1), To: rules.NewDate(2026, 11, 20)}
	all := func() map[string]string {
		out := map[string]string{}
		for _, c := range chart.Charts {
			q.Chart = c
			a, err := svc.Compute(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := json.Marshal(a)
			out[c] = string(b)
		}
		q.Chart = chart.Anomalies
		for _, r := range anomalyCodes {
			q.Reason = r
			var days []chart.EmployeeDay
			if err := svc.Reason(ctx, q, func(d chart.EmployeeDay) error { days = append(days, d); return nil }); err != nil {
				t.Fatal(err)
			}
			b, _ := json.Marshal(days)
			out["reason "+string(r)] = string(b)
		}
		q.Reason = ""
		return out
	}
	one := all()
	defer func(n int) { pageSize = n }(pageSize)
	pageSize = 4
	many := all()
	for k, v := range one {
		if many[k] != v {
			t.Errorf("%s: by pages of 4\n%s\nin one page\n%s", k, many[k], v)
		}
	}
	if len(one["reason late"]) < 10 || len(one["reason out_of_fence"]) < 10 {
		t.Errorf("the demo's month shows no late or out-of-fence day: %v", one)
	}
}
