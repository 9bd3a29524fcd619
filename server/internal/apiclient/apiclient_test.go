package apiclient_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"punchclock/app/rules"
	"punchclock/server/internal/dayrec"
	"punchclock/server/internal/e2etest"
	"punchclock/server/internal/punchd"
	"punchclock/server/internal/report"
)

// now is Friday 2026-11-20, 20:00 in Shanghai, after the demo's week.
var now = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

// The month the client pulls, of head office with its sub-departments,
// a page of pageSize employees at a time (several pages).
const (
	dept       = "hq"
	from, to   = "2026-11-01", "2026-11-30"
	days       = 30
	pageSize   = 10
	clientRate = 6000 // the token's requests a minute: the test's clock stands still
)

// goCmd runs the go command in the module's folder.
func goCmd(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// buildClient generates the client of the current openapi.json with
// oapi-codegen (go.mod's tool, from the module cache) into a temporary
// folder, and builds the payroll program (testdata/payroll) on it, the
// generated package put in place as testdata/gen by an overlay. It
// returns the program's path.
func buildClient(t *testing.T, dir string) string {
	t.Helper()
	r, err := e2etest.Root()
	if err != nil {
		t.Fatal(err)
	}
	gen := filepath.Join(dir, "client.gen.go")
	goCmd(t, r, "tool", "oapi-codegen", "-generate", "types,client", "-package", "gen", "-o", gen, filepath.Join(r, "server", "internal", "httpapi", "openapi.json"))
	overlay, _ := json.Marshal(map[string]any{"Replace": map[string]string{
		filepath.Join(r, "server", "internal", "apiclient", "testdata", "gen", "client.gen.go"): gen}})
	ov := filepath.Join(dir, "overlay.json")
	if err := os.WriteFile(ov, overlay, 0o600); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "payroll")
	goCmd(t, r, "build", "-overlay", ov, "-o", bin, "./server/internal/apiclient/testdata/payroll")
	return bin
}

// checks are what the test checks of each step of the payroll program,
// in the order the program runs them. A new step of the program gets its
// check here. A step with a prepare runs after it, in a new run of the
// program (what it prepares happens between two of the payroll system's
// runs).
var checks = []struct {
	step    string
	prepare func(t *testing.T, env *env)
	check   func(t *testing.T, env *env, out string)
}{
	{step: "payroll", check: checkPayroll},
	{step: "export", check: checkExport},
	{step: "since", prepare: pastTheDemo, check: checkSince},
	{step: "changes", prepare: changeSomething, check: checkChanges},
	{step: "location", check: checkLocation},
}

// env is the running punchd the program talks to, and its clock.
type env struct {
	m     *punchd.Main
	url   string
	admin string
	clock *clock
}

// clock is the server's clock: it stands still unless moved.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// TestGeneratedClient: a client oapi-codegen generates from the current
// openapi.json compiles, and a program on it, authenticated with a scoped
// integration token, pulls a month's records of a department page by
// page and runs an export job of the same month to its file, against a
// running punchd with the demo organisation; what it got is checked
// against the server's own records.
func TestGeneratedClient(t *testing.T) {
	dir := t.TempDir()
	bin := buildClient(t, dir)
	clk := &clock{t: now}
	srv := e2etest.StartServer(t, punchd.Config{Now: clk.Now})
	e := &env{m: srv.Main(), url: srv.URL(), admin: srv.Main().Demo.AdminToken, clock: clk}
	token := integrationToken(t, e.url, e.admin)
	phoneCode := phoneLink(t, e, fieldEmployee)

	out := filepath.Join(dir, "out")
	if err := os.Mkdir(out, 0o700); err != nil {
		t.Fatal(err)
	}
	var names []string
	runProgram := func() {
		if len(names) == 0 {
			return
		}
		cmd := exec.Command(bin, "-base", e.url, "-token", token, "-department", dept, "-from", from, "-to", to,
			"-limit", strconv.Itoa(pageSize), "-out", out, "-steps", strings.Join(names, ","),
			"-phone-code", phoneCode, "-phone-now", clk.Now().Format(time.RFC3339))
		if got, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("the payroll program (%s): %v\n%s", names, err, got)
		}
		names = nil
	}
	for _, c := range checks {
		if c.prepare != nil {
			runProgram()
			c.prepare(t, e)
		}
		names = append(names, c.step)
	}
	runProgram()
	for _, c := range checks {
		t.Run(c.step, func(t *testing.T) { c.check(t, e, out) })
	}
}

// fieldEmployee is the field salesperson whose phone reports its
// location (the demo's, at the Shanghai store).
const fieldEmployee = "E019"

// phoneLink issues, as the demo's admin, a phone link of emp and returns
// its code.
func phoneLink(t *testing.T, e *env, emp string) string {
	t.Helper()
	req, _ := http.NewRequest("POST", e.url+"/api/v1/admin/phone-links", strings.NewReader(`{"employee_id":"`+emp+`"}`))
	req.Header.Set("Authorization", "Bearer "+e.admin)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var link struct{ Code string }
	if err := json.NewDecoder(resp.Body).Decode(&link); err != nil || resp.StatusCode != 201 || link.Code == "" {
		t.Fatalf("phone link: %d %v", resp.StatusCode, err)
	}
	return link.Code
}

// integrationToken issues, as the demo's admin, the payroll system's
// token: role integrator, records and reports only.
func integrationToken(t *testing.T, base, admin string) string {
	t.Helper()
	body := fmt.Sprintf(`{"name":"payroll","role":"integrator","scope":"attendance:read report:read user:read","rate_per_min":%d}`, clientRate)
	req, _ := http.NewRequest("POST", base+"/api/v1/admin/tokens", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+admin)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct{ Token string }
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || resp.StatusCode != 201 || tok.Token == "" {
		t.Fatalf("issue a token: %d %v", resp.StatusCode, err)
	}
	return tok.Token
}

// pulled is a record as the program wrote it (the generated type's JSON).
type pulled struct {
	EmployeeID  string `json:"employee_id"`
	Date        string `json:"date"`
	Status      string `json:"status"`
	LateMin     int    `json:"late_min"`
	EarlyMin    int    `json:"early_min"`
	WorkedMin   int    `json:"worked_min"`
	PresentMin  int    `json:"present_min"`
	OvertimeMin int    `json:"overtime_min"`
}

func readRecords(t *testing.T, out string) []pulled {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(out, "records.json"))
	if err != nil {
		t.Fatal(err)
	}
	var recs []pulled
	if err := json.Unmarshal(data, &recs); err != nil {
		t.Fatal(err)
	}
	return recs
}

// employees are the department's active employees, in id order.
func employees(t *testing.T, m *punchd.Main) []string {
	t.Helper()
	f, _ := rules.ParseDate(from)
	l, _ := rules.ParseDate(to)
	emps, _, err := m.API.Days.Employees(context.Background(), dayrec.Filter{DepartmentID: dept, From: f, To: l})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, e := range emps {
		ids = append(ids, e.ID)
	}
	return ids
}

// checkPayroll: every page was followed, and the records are every
// employee's every day, in order.
func checkPayroll(t *testing.T, e *env, out string) {
	ids := employees(t, e.m)
	pages, _ := os.ReadFile(filepath.Join(out, "pages.txt"))
	if want := (len(ids) + pageSize - 1) / pageSize; string(pages) != strconv.Itoa(want) || want < 2 {
		t.Errorf("%s pages, want %d", pages, want)
	}
	recs := readRecords(t, out)
	if len(recs) != len(ids)*days {
		t.Fatalf("%d records, want %d employees x %d days", len(recs), len(ids), days)
	}
	first, _ := time.Parse(time.DateOnly, from)
	for i, r := range recs {
		if want := first.AddDate(0, 0, i%days).Format(time.DateOnly); r.EmployeeID != ids[i/days] || r.Date != want || r.Status == "" {
			t.Fatalf("record %d: %+v, want %s on %s", i, r, ids[i/days], want)
		}
	}
}

// checkExport: the job ended done with every employee counted, and its
// CSV holds one row per record the payroll step pulled, with the same
// employee, day, status and minutes.
func checkExport(t *testing.T, e *env, out string) {
	ids := employees(t, e.m)
	var job struct {
		State    string
		Progress struct{ Done, Total int }
		Filename string
	}
	data, err := os.ReadFile(filepath.Join(out, "job.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &job); err != nil || job.State != "done" || job.Progress.Done != len(ids) || job.Progress.Total != len(ids) ||
		job.Filename != "attendance-"+from+"-"+to+".csv" {
		t.Errorf("job: %s (%v)", data, err)
	}
	file, err := os.ReadFile(filepath.Join(out, "export.csv"))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(file, []byte("\uFEFF")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	recs := readRecords(t, out)
	if len(rows) != 1+len(recs) || rows[0][0] != "Employee ID" {
		t.Fatalf("%d rows (header %q), want 1 + %d records", len(rows), rows[0], len(recs))
	}
	for i, r := range recs {
		row := rows[1+i]
		want := []string{r.EmployeeID, r.Date, report.Word("en", r.Status), strconv.Itoa(r.LateMin), strconv.Itoa(r.EarlyMin),
			strconv.Itoa(r.WorkedMin), strconv.Itoa(r.PresentMin), strconv.Itoa(r.OvertimeMin)}
		got := []string{row[0], row[3], row[5], row[9], row[10], row[11], row[12], row[13]}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("row %d: %q, want %q", 1+i, got, want)
		}
	}
}

// pastTheDemo moves the clock past the feed's lag behind the demo's
// punches, which arrived at the clock's time: the payroll system starts
// polling after them.
func pastTheDemo(t *testing.T, e *env) { e.clock.Add(5 * time.Minute) }

// checkSince: the feed's first call gave a cursor.
func checkSince(t *testing.T, _ *env, out string) {
	if c, err := os.ReadFile(filepath.Join(out, "cursor.txt")); err != nil || len(c) == 0 {
		t.Errorf("no cursor: %q %v", c, err)
	}
}

// changeSomething is what happens between two polls: an overtime flow of
// E004 (retail, under hq) on the 19th, started by an admin; then the
// clock moves past the feed's lag.
func changeSomething(t *testing.T, e *env) {
	body := `{"id":"01a1f0aa-0000-7000-8000-000000000004","kind":"overtime","employee_id":"E004","date":"2026-11-19","minutes":30,"reason":"stock take"}`
	req, _ := http.NewRequest("POST", e.url+"/api/v1/approval/flow", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+e.admin)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("start a flow: %d", resp.StatusCode)
	}
	e.clock.Add(5 * time.Minute)
}

// checkChanges: the poll after the flow names E004's days around the
// 19th, for the approval, and brings their records, nobody else's.
func checkChanges(t *testing.T, _ *env, out string) {
	var changes []struct {
		EmployeeID string   `json:"employee_id"`
		Days       []string `json:"days"`
		Reasons    []string `json:"reasons"`
	}
	data, err := os.ReadFile(filepath.Join(out, "changes.json"))
	if err == nil {
		err = json.Unmarshal(data, &changes)
	}
	if err != nil || len(changes) != 1 || changes[0].EmployeeID != "E004" || strings.Join(changes[0].Days, ",") != "2026-11-18,2026-11-19,2026-11-20" ||
		strings.Join(changes[0].Reasons, ",") != "approval" {
		t.Fatalf("changes %s (%v), want E004's 18th to 20th for an approval", data, err)
	}
	data, err = os.ReadFile(filepath.Join(out, "changed.json"))
	var recs []pulled
	if err == nil {
		err = json.Unmarshal(data, &recs)
	}
	var got []string
	for _, r := range recs {
		got = append(got, r.EmployeeID+" "+r.Date)
	}
	if err != nil || strings.Join(got, ",") != "E004 2026-11-18,E004 2026-11-19,E004 2026-11-20" {
		t.Errorf("changed records %q (%v), want E004's 18th to 20th", got, err)
	}
}

// checkLocation: both points of the phone's report were accepted, the
// store's inside its fence and the one 3 km away outside, and the trail
// the integration read back holds them, judged the same.
func checkLocation(t *testing.T, _ *env, out string) {
	var got struct {
		EmployeeID string `json:"employee_id"`
		Report     struct {
			Results []struct{ ID, Status, Verdict string }
		}
		Trail struct {
			Points []struct{ ID, Verdict string }
		}
	}
	data, err := os.ReadFile(filepath.Join(out, "location.json"))
	if err == nil {
		err = json.Unmarshal(data, &got)
	}
	if err != nil || got.EmployeeID != fieldEmployee || len(got.Report.Results) != 2 {
		t.Fatalf("location: %s (%v)", data, err)
	}
	want := map[string]string{"019ad2c4-0000-7000-8000-000000000001": "inside", "019ad2c4-0000-7000-8000-000000000002": "outside"}
	for _, r := range got.Report.Results {
		if r.Status != "accepted" || r.Verdict != want[r.ID] {
			t.Errorf("point %s: %s %s, want accepted %s", r.ID, r.Status, r.Verdict, want[r.ID])
		}
	}
	seen := 0
	for _, p := range got.Trail.Points {
		if v, ok := want[p.ID]; ok {
			seen++
			if p.Verdict != v {
				t.Errorf("trail point %s: %s, want %s", p.ID, p.Verdict, v)
			}
		}
	}
	if seen != 2 {
		t.Errorf("the trail holds %d of the 2 points: %s", seen, data)
	}
}
