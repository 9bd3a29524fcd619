package punchd_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"

	"punchclock/app/attendance"
	"punchclock/app/token"
	"punchclock/app/wire"
	"punchclock/server/internal/approval"
)

// TestOutOfFenceFlow: with the Shanghai store's geofence checked for
// phone punches, a phone punch from 3 km away is stored, its day needs a
// decision, and an approval flow for the direct manager starts by itself,
// once however often the day is evaluated; the manager's approval on the
// kiosk settles the day.
func TestOutOfFenceFlow(t *testing.T) {
	clk := &clock{t: t0}
	m, admin := server(t, filepath.Join(t.TempDir(), "p.db"), clk)
	base := m.URL()
	fenceRules(t, base, admin, map[string]any{"check_methods": []string{"qr"}})
	kio := enroll(t, base, issueCode(t, base, admin, "sh-jingan"), clk)
	act, priv := activatePhone(t, base, admin, "E005")
	phone := &kiosk{t: t, base: base, id: act.DeviceID, key: priv, clk: clk}
	now := clk.Now()
	id, _ := uuid.NewV7()
	p := attendance.Punch{ID: id.String(), EmployeeID: "E005", DeviceID: phone.id, Method: attendance.MethodQR, DeviceTime: now, EstTime: now,
		Evidence: attendance.Evidence{QRToken: string(token.Generate(kio.id, kio.qrSecret, now))},
		Location: &attendance.Location{Lat: 31.2500, Lng: 121.4453, AccuracyM: 20}}
	sp, next, err := phone.chain.Next(&p, priv)
	if err != nil {
		t.Fatal(err)
	}
	phone.chain = next
	for range 2 { // the second time a duplicate: no second flow
		if st, resp, eb := phone.send([]wire.SignedPunch{sp}); st != 200 || (resp.Results[0].Status != "accepted" && resp.Results[0].Status != "duplicate") {
			t.Fatalf("the punch from 3 km away: %d %+v %+v", st, resp.Results, eb)
		}
	}
	ctx := context.Background()
	flow, err := m.API.Approvals.Get(ctx, approval.AutoID(p.ID, approval.KindOutFence))
	if err != nil || flow.Kind != approval.KindOutFence || flow.PunchID != p.ID || flow.CreatedBy != approval.System || flow.Route[0].ApproverID != "E002" {
		t.Fatalf("the automatic flow: %+v %v", flow, err)
	}
	day := flow.Date.String()
	var recs struct {
		Records []struct {
			Status    string
			Anomalies []struct {
				Code     string
				Approval struct {
					State      string
					ApprovalID string `json:"approval_id"`
					ApproverID string `json:"approver_id"`
				}
			}
		}
	}
	call(t, "GET", base+"/api/v1/attendance/record?employee_id=E005&from="+day, "Bearer "+admin, nil, &recs)
	if len(recs.Records) != 1 || recs.Records[0].Status != "needs_approval" {
		t.Fatalf("the day before the decision: %+v", recs.Records)
	}
	// The day links the pending flow and who it waits for.
	pending := false
	for _, a := range recs.Records[0].Anomalies {
		pending = pending || a.Code == "out_of_fence" && a.Approval.State == "pending" && a.Approval.ApprovalID == flow.ID && a.Approval.ApproverID == "E002"
	}
	if !pending {
		t.Errorf("the day before the decision does not link the pending flow: %+v", recs.Records[0].Anomalies)
	}
	all, _ := m.API.Approvals.List(ctx, storeFlowsOf("E005"))
	if len(all) != 1 {
		t.Errorf("%d flows of E005, want 1", len(all))
	}
	// The manager approves on the kiosk.
	if st, eb := call(t, "PUT", base+"/api/v1/admin/users/u-m2", "Bearer "+admin, []byte(`{"login":"m2","role":"manager","department_id":"retail","employee_id":"E002","pin":"480213"}`), nil); st != 201 {
		t.Fatalf("manager: %d %+v", st, eb)
	}
	dec, _ := uuid.NewV7()
	if _, err := m.API.Approvals.Decide(ctx, flow.ID, approval.Decision{ID: dec.String(), Approve: true}, "E002"); err != nil {
		t.Fatal(err)
	}
	clk.Set(clk.Now().Add(time.Minute))
	call(t, "GET", base+"/api/v1/attendance/record?employee_id=E005&from="+day, "Bearer "+admin, nil, &recs)
	if len(recs.Records) != 1 || recs.Records[0].Status == "needs_approval" {
		t.Errorf("the day after the approval: %+v", recs.Records)
	}
}
