package approval

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"image"
	_ "image/jpeg" // proofs are photos: JPEG
	_ "image/png"  // or PNG (a screenshot of a boarding pass)

	"github.com/google/uuid"

	"punchclock/app/wire"
	"punchclock/server/internal/audit"
	"punchclock/server/internal/store"
)

// MaxProof is the largest proof accepted (a phone photo, compressed).
const MaxProof = 4 << 20

// maxProofPixels bounds a proof's size in pixels, checked from its header
// before anything is decoded.
const maxProofPixels = 16_000_000

// ActionProof is the audit action of a proof attached.
const ActionProof = "approval.proof"

// AttachProof stores a photo as the proof of an offline-declared flow,
// by the employee it is about, within ProofWindow of its declared time:
// a broken or foreign file is invalid, a proof past its time finds the
// flow expired. The same bytes sent again are the same proof.
func (s *Service) AttachProof(ctx context.Context, flowID, by string, data []byte) (Request, error) {
	if len(data) == 0 || len(data) > MaxProof {
		return Request{}, wire.Errorf(wire.CodeInvalid, "a proof is an image of at most %d MiB", MaxProof>>20)
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > maxProofPixels {
		return Request{}, wire.Errorf(wire.CodeInvalid, "the proof is not a readable JPEG or PNG image")
	}
	if _, _, err := image.Decode(bytes.NewReader(data)); err != nil {
		return Request{}, wire.Errorf(wire.CodeInvalid, "the proof is not a readable JPEG or PNG image: it is cut or damaged")
	}
	sum := sha256.Sum256(data)
	hash := hex.EncodeToString(sum[:])
	now := s.Now()
	// The image is stored first, on its own: the flow's change below runs
	// in the store's transaction. A refused change leaves an attachment
	// nothing points to.
	id, err := uuid.NewV7()
	if err != nil {
		return Request{}, err
	}
	att := store.Attachment{ID: id.String(), FlowID: flowID, ContentType: "image/" + format, SHA256: hash, CreatedAt: now, Data: data}
	if cur, err := s.Get(ctx, flowID); err == nil && cur.Proof != "" {
		if old, err := s.Store.Attachment(ctx, cur.Proof); err == nil && old.SHA256 == hash && (by == cur.EmployeeID || by == cur.CreatedBy) {
			return cur, nil // the same proof sent again
		}
	}
	if err := s.Store.PutAttachment(ctx, att); err != nil {
		return Request{}, store.Coded(err)
	}
	r, err := s.change(ctx, flowID, func(r Request) (Request, error) {
		if by != r.EmployeeID && by != r.CreatedBy {
			return r, refuse("not_approver", "only who asked may attach its proof")
		}
		if r.Kind != KindOffline {
			return r, refuse("invalid", "only a punch declared offline takes a proof")
		}
		if r, expired := Expire(r, now); expired || r.State == Expired {
			return r, nil
		}
		if r.State != Pending {
			return r, refuse("closed", "this request is already %s", r.State)
		}
		if r.Proof != "" {
			return r, refuse("closed", "this request has its proof already")
		}
		r.Proof = att.ID
		return r, nil
	})
	if err != nil {
		return r, err
	}
	if r.State == Expired {
		return r, wire.Errorf(wire.CodeExpired, "the proof came more than %s after the declared time: the request has expired", ProofWindow)
	}
	if r.Proof == att.ID {
		s.record(ctx, audit.Event{Actor: by, Action: ActionProof, Target: r.ID, Unit: s.unitOf(ctx, r.EmployeeID), Detail: map[string]string{"attachment": att.ID, "sha256": hash}})
	}
	return r, nil
}

// Proof returns a flow's proof.
func (s *Service) Proof(ctx context.Context, r Request) (store.Attachment, error) {
	if r.Proof == "" {
		return store.Attachment{}, wire.Errorf(wire.CodeNotFound, "this request has no proof")
	}
	a, err := s.Store.Attachment(ctx, r.Proof)
	if errors.Is(err, store.ErrNotFound) {
		return a, wire.Errorf(wire.CodeNotFound, "this request has no proof")
	}
	return a, store.Coded(err)
}
