package syncer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"punchclock/app/wire"
	"punchclock/kiosk/outbox"
)

// PathDecisions is where a kiosk sends its managers' approval decisions.
const PathDecisions = "/api/v1/device/decisions"

// KeyDecisions is the outbox state key of the decisions a manager made on
// this kiosk: kept in IndexedDB until the server answers each, so one made
// offline survives a reload.
const KeyDecisions = "decisions"

// Decision states on the kiosk.
const (
	DecisionQueued   = "queued"   // made here, not yet answered
	DecisionAccepted = "accepted" // the server applied it (now or before)
	DecisionConflict = "conflict" // someone closed the flow first: State says how
	DecisionRefused  = "refused"  // the server refused it: Code and Message say why
)

// Decision is a manager's decision made on this kiosk and what became of it.
type Decision struct {
	wire.KioskDecision
	Status  string    `json:"status"`
	State   string    `json:"state,omitempty"`
	Code    wire.Code `json:"code,omitempty"`
	Message string    `json:"message,omitempty"`
}

// Decisions returns the decisions made on this kiosk, oldest first.
func (s *Syncer) Decisions(ctx context.Context) ([]Decision, error) {
	s.dmu.Lock()
	defer s.dmu.Unlock()
	return s.loadDecisions(ctx)
}

func (s *Syncer) loadDecisions(ctx context.Context) ([]Decision, error) {
	raw, err := s.cfg.Outbox.Store().State(ctx, KeyDecisions)
	if errors.Is(err, outbox.ErrNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("syncer: decisions: %w", err)
	}
	var ds []Decision
	if err := json.Unmarshal(raw, &ds); err != nil {
		return nil, fmt.Errorf("syncer: decisions: %w", err)
	}
	return ds, nil
}

func (s *Syncer) saveDecisions(ctx context.Context, ds []Decision) error {
	raw, err := json.Marshal(ds)
	if err != nil {
		return err
	}
	if err := s.cfg.Outbox.Store().SetState(ctx, KeyDecisions, raw); err != nil {
		return fmt.Errorf("syncer: decisions: %w", err)
	}
	return nil
}

// QueueDecision keeps a decision for sending (once per flow: a second
// decision on a flow this kiosk decided is refused here) and kicks the
// syncer.
func (s *Syncer) QueueDecision(ctx context.Context, d wire.KioskDecision) error {
	s.dmu.Lock()
	ds, err := s.loadDecisions(ctx)
	if err == nil {
		for _, old := range ds {
			if old.FlowID == d.FlowID {
				s.dmu.Unlock()
				return fmt.Errorf("syncer: flow %s is already decided on this kiosk", d.FlowID)
			}
		}
		err = s.saveDecisions(ctx, append(ds, Decision{KioskDecision: d, Status: DecisionQueued}))
	}
	s.dmu.Unlock()
	if err != nil {
		return err
	}
	s.notify()
	s.Kick()
	return nil
}

// PushDecisions sends the queued decisions and keeps each answer.
func (s *Syncer) PushDecisions(ctx context.Context) error {
	s.run.Lock()
	defer s.run.Unlock()
	if err := s.fatalErr(); err != nil {
		return err
	}
	s.dmu.Lock()
	ds, err := s.loadDecisions(ctx)
	s.dmu.Unlock()
	if err != nil {
		return err
	}
	var queued []wire.KioskDecision
	for _, d := range ds {
		if d.Status == DecisionQueued && len(queued) < 100 {
			queued = append(queued, d.KioskDecision)
		}
	}
	if len(queued) == 0 {
		return nil
	}
	id, err := s.identity()
	if err != nil {
		return err
	}
	body, err := json.Marshal(map[string]any{"decisions": queued})
	if err != nil {
		return err
	}
	x, err := s.do(ctx, id, http.MethodPost, PathDecisions, s.cfg.Clock(), body, nil)
	if err != nil {
		return fmt.Errorf("syncer: decisions: %w", err)
	}
	if x.resp.StatusCode != http.StatusOK {
		werr := apiError(x)
		if werr.Code == wire.CodeUnauthorized {
			return s.stop(fmt.Errorf("syncer: decisions: %w", werr))
		}
		return fmt.Errorf("syncer: decisions: %w", werr)
	}
	var resp struct{ Results []wire.DecisionResult }
	if err := json.Unmarshal(x.body, &resp); err != nil {
		return fmt.Errorf("syncer: decisions: decode answer: %w", err)
	}
	s.dmu.Lock()
	defer s.dmu.Unlock()
	if ds, err = s.loadDecisions(ctx); err != nil {
		return err
	}
	for _, r := range resp.Results {
		for i := range ds {
			if ds[i].ID == r.ID && ds[i].Status == DecisionQueued {
				ds[i].Status, ds[i].State, ds[i].Code, ds[i].Message = r.Status, r.State, r.Code, r.Message
			}
		}
	}
	if err := s.saveDecisions(ctx, ds); err != nil {
		return err
	}
	s.notify()
	return nil
}
