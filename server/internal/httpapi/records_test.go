package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"punchclock/app/rules"
	"punchclock/server/internal/demo"
	"punchclock/server/internal/httpapi"
	"punchclock/server/internal/sqlstore/sqlstoretest"
	"punchclock/server/internal/store"
)

// now is Friday 2026-11-20, 20:00 in Shanghai: the demo week before it
// has one late arrival a day and E006's forgotten check-out on the 18th.
var now = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

func demoServer(t *testing.T) (string, string) {
	t.Helper()
	u, admin, _ := demoStoreServer(t)
	return u, admin
}

// demoStoreServer is demoServer with its store.
func demoStoreServer(t *testing.T) (string, string, store.Store) {
	t.Helper()
	base, admin, st, _ := clockedServer(t)
	return base, admin, st
}

// demoServerOn seeds the demo into st and serves it; st is closed at the
// end of the test.
func demoServerOn(t *testing.T, st store.Store) (string, string) {
	t.Helper()
	ctx := context.Background()
	t.Cleanup(func() { st.Close() })
	clock := func() time.Time { return now }
	res, err := demo.Seed(ctx, st, t.TempDir(), clock, httpapi.HashToken, "")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(httpapi.New(st, clock, slog.Default(), "test").Handler())
	t.Cleanup(srv.Close)
	return srv.URL, res.AdminToken
}

func do(t *testing.T, method, url, tok string, body []byte, out any) (int, string) {
	t.Helper()
	st, _, data := send(t, method, url, tok, body)
	if st == 200 && out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s %s: %v: %s", method, url, err, data)
		}
	}
	return st, string(data)
}

// send makes a request with a bearer token: the answer's status,
// headers and body.
func send(t *testing.T, method, url, tok string, body []byte) (int, http.Header, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, url, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, data
}

type record struct {
	EmployeeID string     `json:"employee_id"`
	Date       rules.Date `json:"date"`
	Status     string     `json:"status"`
	Reasons    []struct{ En, Zh string }
}

func find(recs []record, emp, date string) *record {
	for i := range recs {
		if recs[i].EmployeeID == emp && recs[i].Date.String() == date {
			return &recs[i]
		}
	}
	return nil
}

func reasons(r *record) string {
	var b []string
	for _, x := range r.Reasons {
		b = append(b, x.En)
	}
	return strings.Join(b, "; ")
}

func TestAttendanceRecord(t *testing.T) {
	base, tok := demoServer(t)
	var out struct {
		Records []record
		Punches []struct {
			ID         string `json:"id"`
			EmployeeID string `json:"employee_id"`
		}
	}
	// The records only, unless the punches are asked for.
	st, body := do(t, "GET", base+"/api/v1/attendance/record?employee_id=E006&from=2026-11-16&to=2026-11-20", tok, nil, &out)
	var top map[string]json.RawMessage
	if st != 200 || json.Unmarshal([]byte(body), &top) != nil || top["punches"] != nil || top["records"] == nil {
		t.Fatalf("record: %d %.300s", st, body)
	}
	if len(out.Records) != 5 || len(out.Punches) != 0 {
		t.Fatalf("E006: %d records, %d punches", len(out.Records), len(out.Punches))
	}
	st, body = do(t, "GET", base+"/api/v1/attendance/record?employee_id=E006&from=2026-11-16&to=2026-11-20&punches=true", tok, nil, &out)
	if st != 200 || len(out.Records) != 5 || len(out.Punches) == 0 {
		t.Fatalf("E006 with punches: %d, %d records, %d punches: %.300s", st, len(out.Records), len(out.Punches), body)
	}
	if r := find(out.Records, "E006", "2026-11-18"); r == nil || r.Status != "missing_out" {
		t.Errorf("E006 forgot to punch out on the 18th: %+v", r)
	}
	if r := find(out.Records, "E006", "2026-11-19"); r == nil || r.Status != "normal" {
		t.Errorf("the next day is not flipped by the forgotten check-out: %+v", r)
	}
	// E008 arrives at 09:12 on the 18th: 12 minutes late, past the grace.
	st, body = do(t, "GET", base+"/api/v1/attendance/record?department_id=retail&from=2026-11-18", tok, nil, &out)
	if st != 200 {
		t.Fatalf("department record: %d %s", st, body)
	}
	if len(out.Records) != 18 {
		t.Errorf("retail on the 18th: %d records, want 18", len(out.Records))
	}
	late := find(out.Records, "E008", "2026-11-18")
	if late == nil || late.Status != "late" || !strings.Contains(reasons(late), "late 12 min") {
		t.Fatalf("E008 on the 18th: %+v", late)
	}
	if !strings.Contains(late.Reasons[1].Zh+late.Reasons[0].Zh, "迟到") {
		t.Errorf("no Chinese reason: %+v", late.Reasons)
	}
	// The reasons in one language, or as codes only: the same records.
	for _, lang := range []string{"en", "zh", "code", "both"} {
		var one struct{ Records []map[string]any }
		if st, body := do(t, "GET", base+"/api/v1/attendance/record?department_id=retail&from=2026-11-18&reasons="+lang, tok, nil, &one); st != 200 || len(one.Records) != 18 {
			t.Fatalf("reasons=%s: %d %.300s", lang, st, body)
		}
		texts := map[string]bool{}
		for _, r := range one.Records {
			if r["employee_id"] == "E008" && r["status"] != "late" {
				t.Errorf("reasons=%s: E008 is %v", lang, r["status"])
			}
			for _, x := range r["reasons"].([]any) {
				m := x.(map[string]any)
				if m["code"] == "" || m["code"] == nil {
					t.Errorf("reasons=%s: a reason without its code: %v", lang, m)
				}
				for k := range m {
					texts[k] = true
				}
			}
		}
		want := map[string]string{"en": "map[code:true en:true]", "zh": "map[code:true zh:true]", "code": "map[code:true]", "both": "map[code:true en:true zh:true]"}[lang]
		if fmt.Sprint(texts) != want {
			t.Errorf("reasons=%s: reasons carry %v, want %s", lang, texts, want)
		}
	}

	// Paged: five employees a page, in id order, until no next_cursor;
	// every retail employee once. Punches carry their signed body only
	// when asked.
	var seen []string
	cursor := ""
	for pages := 0; ; pages++ {
		var page struct {
			Records []record
			Punches []map[string]any
			Next    string `json:"next_cursor"`
		}
		st, body := do(t, "GET", base+"/api/v1/attendance/record?department_id=retail&from=2026-11-18&limit=5&punches=true&cursor="+cursor, tok, nil, &page)
		if st != 200 || len(page.Records) > 5 || pages > 4 {
			t.Fatalf("page %d after %q: %d, %d records: %s", pages, cursor, st, len(page.Records), body)
		}
		for _, r := range page.Records {
			seen = append(seen, r.EmployeeID)
		}
		for _, p := range page.Punches {
			if _, ok := p["signed_body"]; ok {
				t.Fatalf("a punch with its signed body, not asked for: %v", p)
			}
		}
		if page.Next == "" {
			break
		}
		cursor = page.Next
	}
	if !slices.IsSorted(seen) || len(slices.Compact(slices.Clone(seen))) != 18 || len(seen) != 18 {
		t.Errorf("pages of retail on the 18th: %v, want the 18 employees once each, in order", seen)
	}
	var ev struct{ Punches []map[string]any }
	if st, body := do(t, "GET", base+"/api/v1/attendance/record?employee_id=E006&from=2026-11-18&evidence=true", tok, nil, &ev); st != 200 || len(ev.Punches) == 0 || ev.Punches[0]["signed_body"] == nil || ev.Punches[0]["sig"] == nil {
		t.Errorf("evidence=true: %d, %d punches: %s", st, len(ev.Punches), body)
	}

	for _, bad := range []string{"?employee_id=E006", "?employee_id=E006&from=18.11.2026", "?from=2026-11-18", "?employee_id=E006&from=2026-01-01&to=2026-12-31", "?employee_id=nobody&from=2026-11-18",
		"?department_id=retail&from=2026-11-18&limit=0", "?department_id=retail&from=2026-11-18&limit=5000",
		"?employee_id=E006&from=2026-11-18&evidence=maybe", "?employee_id=E006&from=2026-11-18&punches=2", "?employee_id=E006&from=2026-11-18&evidence=true&punches=false", "?employee_id=E006&from=2026-11-18&reasons=fr",
		"?department_id=retail&from=2026-10-01&to=2026-11-30&limit=2000", // 61 days: at most 1,016 employees a page
	} {
		if st, body := do(t, "GET", base+"/api/v1/attendance/record"+bad, tok, nil, nil); st != 400 && st != 404 {
			t.Errorf("%s: %d %s", bad, st, body)
		}
	}
}

func TestRuleConfig(t *testing.T) {
	base, tok := demoServer(t)
	var cur struct {
		Version int64
		Config  rules.Config
	}
	if st, body := do(t, "GET", base+"/api/v1/rule/config", tok, nil, &cur); st != 200 || cur.Config.Rules.Exceptions.LateGraceMin != 10 {
		t.Fatalf("get: %d %s", st, body)
	}
	next := cur.Config
	next.Rules.Exceptions.LateGraceMin = 15
	doc, _ := json.Marshal(next)

	var preview struct {
		Saved   bool
		Changes []struct {
			EmployeeID string     `json:"employee_id"`
			Date       rules.Date `json:"date"`
			Fields     []string
		}
	}
	if st, body := do(t, "PUT", base+"/api/v1/rule/config?preview=true&from=2026-11-16&to=2026-11-19", tok, doc, &preview); st != 200 || preview.Saved {
		t.Fatalf("preview: %d %s", st, body)
	}
	found := false
	for _, c := range preview.Changes {
		found = found || c.EmployeeID == "E008" && c.Date.String() == "2026-11-18"
	}
	if !found {
		t.Errorf("preview of 15 min grace does not list E008 on the 18th: %+v", preview.Changes)
	}
	var after struct{ Version int64 }
	do(t, "GET", base+"/api/v1/rule/config", tok, nil, &after)
	if after.Version != cur.Version {
		t.Errorf("a preview saved the rules: version %d -> %d", cur.Version, after.Version)
	}

	var saved struct {
		Saved   bool
		Version int64
	}
	if st, body := do(t, "PUT", base+"/api/v1/rule/config?from=2026-11-16&to=2026-11-19", tok, doc, &saved); st != 200 || !saved.Saved || saved.Version <= cur.Version {
		t.Fatalf("save: %d %s", st, body)
	}
	var out struct{ Records []record }
	do(t, "GET", base+"/api/v1/attendance/record?employee_id=E008&from=2026-11-18", tok, nil, &out)
	if r := find(out.Records, "E008", "2026-11-18"); r == nil || r.Status != "normal" {
		t.Errorf("after the grace change E008 is on time: %+v", r)
	}

	for name, body := range map[string]string{
		"unknown field":     `{"rules": {"shifts": [], "graec": 3}}`,
		"bad shift":         `{"rules": {"shifts": [{"id": "x", "start": "9am", "end": "18:00"}]}}`,
		"unknown schedule":  `{"rules": {"shifts": []}, "schedule": {"assignments": [{"scope": "department", "target": "retail", "schedule": "nope"}]}}`,
		"not JSON":          `{`,
		"fence radius 10 m": `{"rules": {"shifts": [], "sites": [{"id": "s", "fences": [{"center": {"lat": 31.2, "lng": 121.4}, "radius_m": 10}]}]}}`,
	} {
		st, resp := do(t, "PUT", base+"/api/v1/rule/config", tok, []byte(body), nil)
		if st != 400 || !strings.Contains(resp, `"invalid"`) {
			t.Errorf("%s: %d %s", name, st, resp)
		}
	}
	if st, _ := do(t, "PUT", base+"/api/v1/rule/config?site_id=nowhere", tok, doc, nil); st != 404 {
		t.Errorf("unknown site: %d", st)
	}
}

// TestAttendanceRecordPages checks, on SQLite and PostgreSQL, that a
// department read page by page is the department read at once: the same
// records and punches in the same order, none twice, none missing, at
// every page size, with and without evidence; and that every punch a
// record uses is in the punches.
func TestAttendanceRecordPages(t *testing.T) {
	for _, be := range sqlstoretest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			base, tok := demoServerOn(t, be.Open(t))
			testRecordPages(t, base, tok)
		})
	}
}

func testRecordPages(t *testing.T, base, tok string) {
	type answer struct {
		Records []json.RawMessage
		Punches []json.RawMessage
		Next    string `json:"next_cursor"`
	}
	join := func(l []json.RawMessage) string {
		var b []string
		for _, x := range l {
			b = append(b, string(x))
		}
		return strings.Join(b, ",")
	}
	// Head office and its departments: two sites in two zones, whose
	// employees alternate in id order (E001 and E002 in Shanghai, E003 in
	// Munich, then Shanghai again).
	q := base + "/api/v1/attendance/record?department_id=hq&from=2026-11-16&to=2026-11-20"
	// Without the punches the records are the same, read from the
	// store's digests (built by the first such read, then used).
	var lean [2]answer
	for i := range lean {
		if st, body := do(t, "GET", q+"&limit=2000", tok, nil, &lean[i]); st != 200 || lean[i].Next != "" || len(lean[i].Records) != 30*5 || len(lean[i].Punches) != 0 {
			t.Fatalf("records only, read %d: %d, %d records, %d punches, next %q: %.300s", i, st, len(lean[i].Records), len(lean[i].Punches), lean[i].Next, body)
		}
	}
	for _, ev := range []string{"&punches=true", "&evidence=true"} {
		var all answer
		if st, body := do(t, "GET", q+ev+"&limit=2000", tok, nil, &all); st != 200 || all.Next != "" || len(all.Records) != 30*5 || len(all.Punches) == 0 {
			t.Fatalf("one page%s: %d, %d records, %d punches, next %q: %.300s", ev, st, len(all.Records), len(all.Punches), all.Next, body)
		}
		for i := range lean {
			if join(lean[i].Records) != join(all.Records) {
				t.Errorf("records only (read %d) differ from the records with%s", i, ev)
			}
		}
		ids := map[string]bool{}
		for _, p := range all.Punches {
			var x struct{ ID string }
			json.Unmarshal(p, &x)
			if ids[x.ID] {
				t.Fatalf("punch %s listed twice", x.ID)
			}
			ids[x.ID] = true
		}
		for _, r := range all.Records {
			var x struct{ Punches []struct{ ID string } }
			json.Unmarshal(r, &x)
			for _, p := range x.Punches {
				if !ids[p.ID] {
					t.Errorf("a record uses punch %s, which the answer does not list", p.ID)
				}
			}
		}
		for _, limit := range []int{1, 2, 3, 7, 29, 30} {
			var got answer
			cursor := ""
			for pages := 1; ; pages++ {
				var pg answer
				u := q + ev + "&limit=" + strconv.Itoa(limit) + "&cursor=" + url.QueryEscape(cursor)
				if st, body := do(t, "GET", u, tok, nil, &pg); st != 200 || pages > 30 || len(pg.Records) > 5*limit {
					t.Fatalf("%s: page %d: %d, %d records: %.300s", u, pages, st, len(pg.Records), body)
				}
				got.Records = append(got.Records, pg.Records...)
				got.Punches = append(got.Punches, pg.Punches...)
				if pg.Next == "" {
					break
				}
				cursor = pg.Next
			}
			if join(got.Records) != join(all.Records) || join(got.Punches) != join(all.Punches) {
				t.Errorf("pages of %d%s: %d records, %d punches, want the %d and %d of one page, in order", limit, ev, len(got.Records), len(got.Punches), len(all.Records), len(all.Punches))
			}
		}
	}
}
