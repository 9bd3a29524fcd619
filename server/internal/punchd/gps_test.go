package punchd_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"image"
	"image/jpeg"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"punchclock/app/attendance"
	"punchclock/app/wire"
	"punchclock/server/internal/approval"
)

// TestGPSPunchFlows: a phone punches by GPS without a kiosk's QR code.
// Inside the store's fence the punch is accepted and asks nothing;
// 3 km away it is accepted and an out-of-fence flow starts by itself; on
// the weak-GPS route (no fix, a typed place) a weak_gps flow starts whose
// reason carries the place; a GPS punch with neither fix nor place is
// refused as invalid, and so is a phone punch of another method. A GPS
// punch's live photo is kept with it; one that is not a JPEG, or on a QR
// punch, is refused.
func TestGPSPunchFlows(t *testing.T) {
	clk := &clock{t: t0}
	m, admin := server(t, filepath.Join(t.TempDir(), "p.db"), clk)
	base := m.URL()
	fenceRules(t, base, admin, nil)
	act, priv := activatePhone(t, base, admin, "E005")
	phone := &kiosk{t: t, base: base, id: act.DeviceID, key: priv, clk: clk}
	photo := ""
	punch := func(method attendance.Method, loc *attendance.Location, place string) (attendance.Punch, wire.PunchResult) {
		t.Helper()
		now := clk.Now()
		id, _ := uuid.NewV7()
		p := attendance.Punch{ID: id.String(), EmployeeID: "E005", DeviceID: phone.id, Method: method, DeviceTime: now, EstTime: now,
			Location: loc, Evidence: attendance.Evidence{Place: place, Photo: photo}}
		sp, next, err := phone.chain.Next(&p, priv)
		if err != nil {
			t.Fatal(err)
		}
		phone.chain = next
		st, resp, eb := phone.send([]wire.SignedPunch{sp})
		if st != 200 || len(resp.Results) != 1 {
			t.Fatalf("punch: %d %+v", st, eb)
		}
		clk.Set(now.Add(24 * time.Hour)) // each punch the in of its own day
		return p, resp.Results[0]
	}
	ctx := context.Background()
	// A live photo travels in the punch: a small JPEG, base64.
	var jpg bytes.Buffer
	if err := jpeg.Encode(&jpg, image.NewGray(image.Rect(0, 0, 40, 30)), nil); err != nil {
		t.Fatal(err)
	}
	at := &attendance.Location{Lat: 31.2243, Lng: 121.4453, AccuracyM: 15}
	for _, bad := range []string{"not base64!", base64.StdEncoding.EncodeToString([]byte("GIF89a, not a JPEG"))} {
		photo = bad
		if _, res := punch(attendance.MethodGPS, at, ""); res.Status != wire.StatusRejected || res.Code != wire.CodeInvalid {
			t.Errorf("a photo %q: %+v", bad, res)
		}
	}
	photo = base64.StdEncoding.EncodeToString(jpg.Bytes())
	if _, res := punch(attendance.MethodQR, at, ""); res.Status != wire.StatusRejected || res.Code != wire.CodeInvalid {
		t.Errorf("a QR punch with a photo: %+v", res)
	}
	inside, res := punch(attendance.MethodGPS, at, "")
	if res.Status != wire.StatusAccepted {
		t.Fatalf("inside the fence, with a photo: %+v", res)
	}
	if p, err := m.API.Store.Punch(ctx, inside.ID); err != nil || p.Evidence.Photo != photo {
		t.Errorf("the photo stored: %v", err)
	}
	photo = ""
	far, res := punch(attendance.MethodGPS, &attendance.Location{Lat: 31.2500, Lng: 121.4453, AccuracyM: 15}, "")
	if res.Status != wire.StatusAccepted {
		t.Fatalf("3 km away: %+v", res)
	}
	weak, res := punch(attendance.MethodGPS, nil, "Customer Xu's warehouse")
	if res.Status != wire.StatusAccepted {
		t.Fatalf("the weak-GPS route: %+v", res)
	}
	if _, res := punch(attendance.MethodGPS, nil, ""); res.Status != wire.StatusRejected || res.Code != wire.CodeInvalid {
		t.Errorf("a GPS punch without fix or place: %+v", res)
	}
	if _, res := punch(attendance.MethodBadge, nil, ""); res.Status != wire.StatusRejected || res.Code != wire.CodeInvalid {
		t.Errorf("a phone's badge punch: %+v", res)
	}
	if _, err := m.API.Approvals.Get(ctx, approval.AutoID(inside.ID, approval.KindOutFence)); err == nil {
		t.Error("the punch inside the fence started a flow")
	}
	flow, err := m.API.Approvals.Get(ctx, approval.AutoID(far.ID, approval.KindOutFence))
	if err != nil || flow.Kind != approval.KindOutFence || flow.State != approval.Pending || flow.Route[0].ApproverID != "E002" {
		t.Errorf("the out-of-fence flow: %+v %v", flow, err)
	}
	flow, err = m.API.Approvals.Get(ctx, approval.AutoID(weak.ID, approval.KindWeakGPS))
	if err != nil || flow.Kind != approval.KindWeakGPS || flow.State != approval.Pending || !strings.HasSuffix(flow.Reason, "place given: Customer Xu's warehouse") {
		t.Errorf("the weak-GPS flow: %+v %v", flow, err)
	}
	all, _ := m.API.Approvals.List(ctx, storeFlowsOf("E005"))
	if len(all) != 2 {
		t.Errorf("%d flows of E005, want 2", len(all))
	}
}
