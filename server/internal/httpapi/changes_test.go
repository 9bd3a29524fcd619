package httpapi_test

import (
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

type changesPage struct {
	Records []record `json:"records"`
	Changes []struct {
		EmployeeID string   `json:"employee_id"`
		Days       []string `json:"days"`
		Reasons    []string `json:"reasons"`
	} `json:"changes"`
	NextCursor string `json:"next_cursor"`
	More       bool   `json:"more"`
}

// TestRecordChanges: the change feed of GET /attendance/record gives a
// cursor to start from, then the changed employee-days of the
// department with their records and why, a page at a time; a rule
// change reports every employee of the site; bad requests are refused.
func TestRecordChanges(t *testing.T) {
	base, admin, _, clk := clockedServer(t)
	// The demo's punches were received at the clock's time: past them.
	clk.Add(5 * time.Minute)
	u0 := base + "/api/v1/attendance/record?department_id=retail&from=2026-11-16&to=2026-11-20&reasons=code"
	u := u0 + "&changes=true"
	get := func(q string) changesPage {
		t.Helper()
		var pg changesPage
		if st, b := do(t, "GET", u+q, admin, nil, &pg); st != 200 {
			t.Fatalf("GET %s: %d %s", q, st, b)
		}
		return pg
	}
	first := get("")
	if first.NextCursor == "" || len(first.Records) != 0 || first.More {
		t.Fatalf("first call: %+v, want a cursor and nothing else", first)
	}
	// A flow of E004 (retail) on the 19th and one of E021 (works).
	for _, emp := range []string{"E004", "E021"} {
		id, _ := uuid.NewV7()
		body := `{"id":"` + id.String() + `","kind":"overtime","employee_id":"` + emp + `","date":"2026-11-19","minutes":30,"reason":"stock take"}`
		if st, b := do(t, "POST", base+"/api/v1/approval/flow", admin, []byte(body), nil); st != 201 {
			t.Fatalf("start a flow: %d %s", st, b)
		}
	}
	clk.Add(2 * time.Minute) // past the feed's lag
	pg := get("&cursor=" + url.QueryEscape(first.NextCursor))
	if len(pg.Changes) != 1 || pg.Changes[0].EmployeeID != "E004" || !slices.Equal(pg.Changes[0].Days, []string{"2026-11-18", "2026-11-19", "2026-11-20"}) || !slices.Equal(pg.Changes[0].Reasons, []string{"approval"}) || pg.More {
		t.Errorf("after E004's flow: %+v", pg)
	}
	var dates []string
	for _, r := range pg.Records {
		if r.EmployeeID != "E004" {
			t.Errorf("a record of %s, which did not change", r.EmployeeID)
		}
		dates = append(dates, r.Date.String())
	}
	if !slices.Equal(dates, []string{"2026-11-18", "2026-11-19", "2026-11-20"}) {
		t.Errorf("records of %v, want E004's 18th to 20th", dates)
	}
	// Read again from the same cursor: the same answer (nothing is
	// consumed); from the next one, nothing.
	if again := get("&cursor=" + url.QueryEscape(first.NextCursor)); len(again.Changes) != 1 {
		t.Errorf("the same cursor again: %+v", again)
	}
	clk.Add(2 * time.Minute)
	quiet := get("&cursor=" + url.QueryEscape(pg.NextCursor))
	if len(quiet.Changes) != 0 || len(quiet.Records) != 0 {
		t.Errorf("nothing changed: %+v", quiet)
	}
	// A rule change of the Shanghai store: all of retail, every day; two
	// employees a page.
	var cfg struct{ Config json.RawMessage }
	do(t, "GET", base+"/api/v1/rule/config?site_id=sh-jingan", admin, nil, &cfg)
	if st, b := do(t, "PUT", base+"/api/v1/rule/config?site_id=sh-jingan", admin, cfg.Config, nil); st != 200 {
		t.Fatalf("put rules: %d %s", st, b)
	}
	clk.Add(2 * time.Minute)
	cur, seen, pages := quiet.NextCursor, map[string]bool{}, 0
	for {
		p := get("&limit=2&cursor=" + url.QueryEscape(cur))
		pages++
		for _, c := range p.Changes {
			if seen[c.EmployeeID] || len(c.Days) != 5 || !slices.Equal(c.Reasons, []string{"rules"}) {
				t.Errorf("after the rule change: %+v", c)
			}
			seen[c.EmployeeID] = true
		}
		cur = p.NextCursor
		if !p.More {
			break
		}
	}
	if st, b := do(t, "GET", strings.Replace(u, "department_id=retail", "employee_id=E999", 1), admin, nil, nil); st != 404 {
		t.Errorf("changes of no employee: %d %s, want 404", st, b)
	}
	if st, b := do(t, "GET", u0+"&changes=false", admin, nil, nil); st != 400 {
		t.Errorf("changes=false: %d %s, want 400", st, b)
	}
	// Two a page: the last page says more=false.
	if len(seen) < 3 || pages != (len(seen)+1)/2 {
		t.Errorf("the rule change: %d employees in %d pages", len(seen), pages)
	}
	for e := range seen {
		if e == "E021" || e == "E001" {
			t.Errorf("%s reported for retail", e)
		}
	}
	for _, bad := range []string{"&cursor=nonsense", "&cursor=" + url.QueryEscape(first.NextCursor) + "&punches=true", "&limit=501"} {
		if st, b := do(t, "GET", u+bad, admin, nil, nil); st != 400 || !strings.Contains(b, "invalid") {
			t.Errorf("GET ...%s: %d %s, want 400", bad, st, b)
		}
	}
}
