package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"punchclock/server/internal/exportjob"
	"punchclock/server/internal/httpapi"
	"punchclock/server/internal/store"
)

// jobView is an export job as the API shows it.
type jobView struct {
	ID       string `json:"id"`
	Report   string `json:"report"`
	Format   string `json:"format"`
	State    string `json:"state"`
	Progress struct {
		Done, Total int
		Unit        string
	} `json:"progress"`
	CreatedAt  time.Time  `json:"created_at"`
	FinishedAt *time.Time `json:"finished_at"`
	ExpiresAt  *time.Time `json:"expires_at"`
	Error      string     `json:"error"`
	Size       int64      `json:"size"`
	Filename   string     `json:"filename"`
	Download   string     `json:"download"`
}

// jobsServer is clockedAPI with an export job runner over dir, started;
// it returns the server's URL, the admin token, the store, the clock and
// the runner.
func jobsServer(t *testing.T, dir string) (string, string, store.Store, *testClock, *exportjob.Runner) {
	t.Helper()
	api, admin, st, clk := clockedAPI(t)
	api.Exports = &exportjob.Runner{Store: st, Days: api.Days, Dir: dir, Now: clk.Now}
	stop, err := api.Exports.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop) // before the store closes (cleanups run last first)
	srv := httptest.NewServer(api.Handler())
	t.Cleanup(srv.Close)
	return srv.URL, admin, st, clk, api.Exports
}

// waitJob polls the job until it is done or failed.
func waitJob(t *testing.T, u, tok, id string) jobView {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		var j jobView
		if st, body := do(t, "GET", u+"/report/export/"+id, tok, nil, &j); st != 200 {
			t.Fatalf("job %s: %d %s", id, st, body)
		}
		if j.State == store.JobDone || j.State == store.JobFailed {
			return j
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %s still %s after a minute: %+v", id, j.State, j)
		}
		time.Sleep(10 * time.Millisecond) // a polling step, not a synchronisation
	}
}

// TestExportJob: an export job makes the very file the GET export
// streams, with its progress, a download link, the GET's headers and
// audit; it is its creator's alone; bad requests are refused when asked,
// not in the job; files expire.
func TestExportJob(t *testing.T) {
	dir := t.TempDir()
	base, admin, st, clk, runner := jobsServer(t, dir)
	u := base + "/api/v1"
	params := `{"report":"monthly","department_id":"retail","from":"2026-11-16","to":"2026-11-20","lang":"zh"}`
	status, h, body := send(t, "POST", u+"/report/export", admin, []byte(params))
	var j jobView
	json.Unmarshal(body, &j)
	if status != 202 || j.ID == "" || h.Get("Location") != "/api/v1/report/export/"+j.ID ||
		j.Report != "monthly" || j.Format != "csv" || j.Progress.Total != 18 || j.Progress.Unit != "employees" || !j.CreatedAt.Equal(now) || j.Download != "" {
		t.Fatalf("POST: %d %v %s", status, h, body)
	}
	done := waitJob(t, u, admin, j.ID)
	if done.State != store.JobDone || done.Progress.Done != 18 || done.Download != "/api/v1/report/export/"+j.ID+"/file" ||
		done.ExpiresAt == nil || !done.ExpiresAt.Equal(done.FinishedAt.Add(exportjob.DefaultKeep)) || done.Filename != "attendance-2026-11-16-2026-11-20.csv" {
		t.Fatalf("done: %+v", done)
	}
	status, h, file := send(t, "GET", base+done.Download, admin, nil)
	_, _, want := send(t, "GET", u+"/report/monthly?department_id=retail&from=2026-11-16&to=2026-11-20&lang=zh", admin, nil)
	if status != 200 || h.Get("Content-Type") != "text/csv; charset=utf-8" || h.Get("Content-Disposition") != "attachment; filename=attendance-2026-11-16-2026-11-20.csv" ||
		!bytes.Equal(file, want) || int64(len(file)) != done.Size || len(bytes.Split(bytes.TrimSpace(file), []byte("\n"))) != 1+18*5 {
		t.Errorf("file: %d %v, %d bytes, want the GET export's %d", status, h, len(file), len(want))
	}

	// The XLSX of an employee's punch details.
	var x jobView
	if st, body := do(t, "POST", u+"/report/export", admin, []byte(`{"report":"punches","employee_id":"E006","from":"2026-11-16","to":"2026-11-20","format":"xlsx"}`), nil); st != 202 {
		t.Fatalf("xlsx: %d %s", st, body)
	} else {
		json.Unmarshal([]byte(body), &x)
	}
	x = waitJob(t, u, admin, x.ID)
	status, h, file = send(t, "GET", base+x.Download, admin, nil)
	if x.State != store.JobDone || x.Progress.Total != 1 || status != 200 || !strings.Contains(h.Get("Content-Type"), "spreadsheetml") ||
		h.Get("Content-Disposition") != "attachment; filename=punches-2026-11-16-2026-11-20.xlsx" || !bytes.HasPrefix(file, []byte("PK")) {
		t.Errorf("xlsx job %+v: %d %v %q", x, status, h, file[:min(len(file), 4)])
	}

	// Its creator's alone: another token, a super admin, an unknown id
	// are refused alike, naming nothing.
	if err := st.PutToken(context.Background(), store.Token{Hash: httpapi.HashToken("other"), Name: "other", Role: "admin", CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/report/export/" + j.ID, "/report/export/" + j.ID + "/file", "/report/export/019a0000-0000-7000-8000-000000000000"} {
		if st, body := do(t, "GET", u+path, "other", nil, nil); st != 403 || strings.Contains(body, j.ID) || strings.Contains(body, "retail") {
			t.Errorf("another token: GET %s: %d %s", path, st, body)
		}
	}
	if st, body := do(t, "GET", u+"/report/export/"+j.ID, "", nil, nil); st != 401 {
		t.Errorf("no token: %d %s", st, body)
	}

	// An export reads: a token scoped to report:read starts one, one
	// scoped to the records only is refused.
	var scoped string
	for tok, want := range map[string]int{"reports": 202, "records": 403} {
		scope := map[string]string{"reports": "report:read", "records": "attendance:read"}[tok]
		if err := st.PutToken(context.Background(), store.Token{Hash: httpapi.HashToken(tok), Name: tok, Role: "integrator", Scope: scope, CreatedAt: now}); err != nil {
			t.Fatal(err)
		}
		got, body := do(t, "POST", u+"/report/export", tok, []byte(params), nil)
		if got != want {
			t.Errorf("a token scoped %s: %d %s, want %d", scope, got, body, want)
		}
		if got == 202 {
			var sj jobView
			json.Unmarshal([]byte(body), &sj)
			scoped = waitJob(t, u, tok, sj.ID).ID
		}
	}

	// Refused when asked, not in the job.
	for _, c := range []struct {
		body string
		want int
	}{
		{`{"report":"monthly","department_id":"retail","from":"2026-11-16","to":"2027-01-31"}`, 400},
		{`{"report":"monthly","department_id":"retail"}`, 400},
		{`{"report":"payslips","department_id":"retail","from":"2026-11-16"}`, 400},
		{`{"report":"monthly","department_id":"retail","from":"2026-11-16","format":"pdf"}`, 400},
		{`{"report":"monthly","department_id":"retail","employee_id":"E006","from":"2026-11-16"}`, 400},
		{`{"report":"monthly","department_id":"retail","from":"2026-11-16","colour":"red"}`, 400},
		{`{"report":"monthly","department_id":"retail","from":"2026-11-16"`, 400},
		{"{\"report\":\"monthly\",\"department_id\":\"ret\u0000ail\",\"from\":\"2026-11-16\"}", 400},
		{`{"report":"monthly","department_id":"nowhere","from":"2026-11-16"}`, 404},
	} {
		if st, body := do(t, "POST", u+"/report/export", admin, []byte(c.body), nil); st != c.want {
			t.Errorf("POST %s: %d %s, want %d", c.body, st, body, c.want)
		}
	}
	// A retail manager: retail's export, not the head office's.
	mgr := retailManager(t, base, admin)
	if st, body := mgr.do("POST", u+"/report/export", `{"report":"overtime","department_id":"hq","from":"2026-11-16"}`, true); st != 403 || strings.Contains(body, "hq") {
		t.Errorf("manager, hq: %d %s", st, body)
	}
	st2, mbody := mgr.do("POST", u+"/report/export", `{"report":"overtime","department_id":"retail","from":"2026-11-16"}`, true)
	var mj jobView
	json.Unmarshal([]byte(mbody), &mj)
	if st2 != 202 {
		t.Fatalf("manager, retail: %d %s", st2, mbody)
	}
	if st, _ := mgr.do("GET", u+"/report/export/"+mj.ID, nil, false); st != 200 {
		t.Errorf("the manager's own job: %d", st)
	}
	if st, _ := mgr.do("GET", u+"/report/export/"+j.ID, nil, false); st != 403 {
		t.Errorf("the manager reads the admin token's job: %d", st)
	}
	if st, _ := do(t, "GET", u+"/report/export/"+mj.ID, admin, nil, nil); st != 403 {
		t.Errorf("the admin token reads the manager's job: %d", st)
	}

	// Audited when asked, with the job.
	var jobs []string
	for _, e := range exportsAudited(t, u, admin) {
		if id, ok := e.Detail["job"].(string); ok {
			jobs = append(jobs, id+" "+e.Target)
		}
	}
	if strings.Join(jobs, "|") != j.ID+" department:retail|"+x.ID+" employee:E006|"+scoped+" department:retail|"+mj.ID+" department:retail" {
		t.Errorf("audited jobs %q", jobs)
	}

	// A job not done has no file yet.
	owner := exportjob.Owner(httpapi.HashToken(admin)[:12], "")
	if err := st.PutExportJob(context.Background(), store.ExportJob{ID: "019a0000-0000-7000-8000-00000000000a", Owner: owner, Spec: json.RawMessage(`{"report":"monthly","department_id":"retail","from":"2026-11-16","to":"2026-11-16","format":"csv","lang":"en"}`), State: store.JobFailed, CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	if st, body := do(t, "GET", u+"/report/export/019a0000-0000-7000-8000-00000000000a/file", admin, nil, nil); st != 409 || !strings.Contains(body, "conflict") {
		t.Errorf("file of a failed job: %d %s", st, body)
	}

	// A day later the files are gone, and so are the jobs.
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(10 * time.Millisecond) {
		_, body := mgr.do("GET", u+"/report/export/"+mj.ID, nil, false)
		json.Unmarshal([]byte(body), &mj)
		if mj.State == store.JobDone {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the manager's job: %s", body)
		}
	}
	clk.Add(exportjob.DefaultKeep + time.Minute)
	if err := runner.Expire(context.Background()); err != nil {
		t.Fatal(err)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "*")); len(left) != 0 {
		t.Errorf("files left after their expiry: %v", left)
	}
	if st, _ := do(t, "GET", u+"/report/export/"+j.ID, admin, nil, nil); st != 403 {
		t.Errorf("an expired job: %d", st)
	}
	if _, err := os.Stat(dir); err != nil {
		t.Error(err)
	}
}
