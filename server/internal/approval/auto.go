package approval

import (
	"context"
	"crypto/sha256"
	"fmt"
	"slices"

	"github.com/google/uuid"

	"punchclock/app/rules"
	"punchclock/app/wire"
)

// Automatic flows: a punch outside the geofence, or with a fix too weak to
// tell, needs its manager's decision (the punch stays; the decision says
// how the day counts), and nobody has to ask for it. The rules engine
// marks such a punch's anomaly "approval required"; AutoFlows turns each
// into a flow whose id is derived from the punch's, so a day evaluated
// again starts none twice.

// System is who starts the automatic flows.
const System = "system"

// AutoFlows returns the flows the records ask for by themselves.
func AutoFlows(recs []rules.DayRecord) []Request {
	var out []Request
	for _, r := range recs {
		for _, a := range r.Anomalies {
			if a.PunchID == "" || a.Approval.State != rules.ApprovalRequired {
				continue
			}
			var kind Kind
			switch a.Code {
			case rules.AnomalyOutOfFence:
				kind = KindOutFence
			case rules.AnomalyLocUncertain:
				kind = KindWeakGPS
			default:
				continue
			}
			reason := map[Kind]string{KindOutFence: "punched outside the site's geofence", KindWeakGPS: "punched with a location too weak to tell"}[kind]
			if i := slices.IndexFunc(r.Punches, func(p rules.PunchUse) bool { return p.ID == a.PunchID }); i >= 0 && r.Punches[i].Place != "" {
				// The weak-GPS route: the place the employee typed is
				// what the manager decides on.
				reason += "; place given: " + r.Punches[i].Place
			}
			out = append(out, Request{ID: AutoID(a.PunchID, kind), Kind: kind, EmployeeID: r.EmployeeID, Date: r.Date, PunchID: a.PunchID, Reason: reason})
		}
	}
	return out
}

// AutoID is the id of the automatic flow of kind about a punch: a UUIDv7
// with the punch's timestamp, the rest of it hashed from the punch's id.
func AutoID(punchID string, kind Kind) string {
	sum := sha256.Sum256([]byte("punchclock-auto-flow\n" + string(kind) + "\n" + punchID))
	var u uuid.UUID
	copy(u[:], sum[:])
	if p, err := uuid.Parse(punchID); err == nil && p.Version() == 7 {
		copy(u[:6], p[:6])
	}
	u[6] = 0x70 | u[6]&0x0f
	u[8] = 0x80 | u[8]&0x3f
	return u.String()
}

// StartAuto starts the automatic flows the records ask for, once each.
// A flow nobody can approve (no manager set) is skipped: the day keeps
// showing it needs a decision.
func (s *Service) StartAuto(ctx context.Context, recs []rules.DayRecord) (int, error) {
	n := 0
	for _, r := range AutoFlows(recs) {
		_, created, err := s.Start(ctx, r, System)
		switch {
		case wire.CodeOf(err) == wire.CodeInvalid:
			continue // refused by the policy or the routing: the day still says it needs a decision
		case err != nil:
			return n, fmt.Errorf("approval: automatic flow of punch %s: %w", r.PunchID, err)
		case created:
			n++
		}
	}
	return n, nil
}
