// Package audit keeps the hash-chained audit log: every security-relevant
// act (an enrollment code issued, a kiosk enrolled, a phone activated, a
// device revoked, a rule set changed, an API token made) is appended as
// one entry that holds the hash of the entry before it, so an entry
// edited, removed or inserted afterwards breaks the chain at that point.
// Verify walks the chain and names the first broken entry; `punchd audit
// verify` runs it.
//
// Hash is SHA-256 over a length-prefixed encoding of every field and the
// previous hash, so no two different entries encode alike. The chain
// proves the log's integrity from its first entry to its head; an
// attacker with write access who cuts the tail leaves a valid shorter
// chain, which only a copy of the head hash kept elsewhere (Verify
// prints it) reveals.
package audit

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"punchclock/server/internal/store"
)

// The actions recorded today.
const (
	ActionEnrollCode       = "device.enroll_code"    // a kiosk enrollment code issued (target: site)
	ActionEnroll           = "device.enroll"         // a kiosk enrolled (target: device)
	ActionPhoneLink        = "device.phone_link"     // a phone activation link issued (target: employee)
	ActionPhoneActive      = "device.phone_activate" // a phone activated (target: device)
	ActionRevoke           = "device.revoke"         // a device revoked (target: device)
	ActionRenameDevice     = "device.rename"         // a device renamed (target: device)
	ActionTerminal         = "terminal.put"          // a hardware terminal registered, accepted or changed (target: its serial)
	ActionTerminalDelete   = "terminal.delete"       // a hardware terminal forgotten (target: its serial)
	ActionTerminalCommand  = "terminal.command"      // a command queued for a hardware terminal by hand (target: its serial)
	ActionRules            = "rules.change"          // a rule set replaced (target: site, "" the default)
	ActionToken            = "token.issue"           // an API token made (target: its name)
	ActionTokenRevoke      = "token.revoke"          // an API token revoked (target: its name)
	ActionSite             = "site.put"              // a site made or changed (target: site)
	ActionDepartment       = "department.put"        // a department made, renamed or moved (target and unit: it)
	ActionDepartmentDelete = "department.delete"     // a department deleted (target: it; unit: its parent)
	ActionEmployee         = "employee.put"          // an employee made or changed (target: it; unit: its department)
	ActionWebhook          = "webhook.create"        // a webhook endpoint made (target: its id)
	ActionWebhookDelete    = "webhook.delete"        // a webhook endpoint deleted (target: its id)
	ActionWebhookRotate    = "webhook.rotate"        // a webhook endpoint's secret rotated (target: its id)
	ActionWebhookReplay    = "webhook.replay"        // a webhook delivery sent again (target: the delivery)
)

// Log appends entries.
type Log struct {
	Store store.Store
	Now   func() time.Time
}

// Event is what an act records; the log adds time, order and hashes.
type Event struct {
	// Unit is the department the act concerns ("" company-wide): HR reads
	// the entries of its unit's departments.
	Actor, Action, Target, Unit string
	// Detail is encoded as JSON (nil: none).
	Detail any
	// Ref, when set, is the act's id where it was reported: recorded
	// once, however often it is reported (store.AuditEntry.Ref).
	Ref string
}

// Record appends ev to the chain and returns its entry.
func (l *Log) Record(ctx context.Context, ev Event) (store.AuditEntry, error) {
	detail := json.RawMessage("null")
	if ev.Detail != nil {
		b, err := json.Marshal(ev.Detail)
		if err != nil {
			return store.AuditEntry{}, fmt.Errorf("audit: %s: detail: %w", ev.Action, err)
		}
		detail = b
	}
	at := l.Now()
	e := store.AuditEntry{Actor: ev.Actor, Action: ev.Action, Target: ev.Target, Unit: ev.Unit, Detail: detail, Ref: ev.Ref}
	out, err := l.Store.AppendAudit(ctx, func(head store.AuditEntry) (store.AuditEntry, error) {
		return Seal(head, e, at), nil
	})
	if err != nil {
		return store.AuditEntry{}, fmt.Errorf("audit: %s: %w", ev.Action, err)
	}
	return out, nil
}

// Seal makes e the entry after head, at at (kept to the millisecond, as
// stored): it sets Seq, At, Prev and Hash.
func Seal(head, e store.AuditEntry, at time.Time) store.AuditEntry {
	e.Seq, e.At, e.Prev = head.Seq+1, at.UTC().Truncate(time.Millisecond), head.Hash
	if len(e.Detail) == 0 {
		e.Detail = json.RawMessage("null")
	}
	e.Hash = Sum(e)
	return e
}

// Sum is the hash of an entry: SHA-256 over its fields and Prev, each
// length-prefixed.
func Sum(e store.AuditEntry) string {
	h := sha256.New()
	var n [8]byte
	field := func(b []byte) {
		binary.BigEndian.PutUint64(n[:], uint64(len(b)))
		h.Write(n[:])
		h.Write(b)
	}
	field([]byte("punchclock-audit-v1"))
	binary.BigEndian.PutUint64(n[:], uint64(e.Seq))
	h.Write(n[:])
	binary.BigEndian.PutUint64(n[:], uint64(e.At.UnixMilli()))
	h.Write(n[:])
	for _, s := range []string{e.Actor, e.Action, e.Target, e.Unit, string(e.Detail), e.Prev} {
		field([]byte(s))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// BrokenError names the first entry where the chain does not hold.
type BrokenError struct {
	Seq int64
	Why string
}

func (e *BrokenError) Error() string {
	return fmt.Sprintf("audit log broken at entry %d: %s", e.Seq, e.Why)
}

// Report is what Verify found in a chain that holds.
type Report struct {
	Entries int64
	// Head is the last entry's hash: kept elsewhere, it lets a later
	// verification tell a cut tail.
	Head string
}

// pageSize is how many entries Verify reads at a time.
const pageSize = 1000

// Verify walks the whole chain: each entry's seq follows the one before,
// its Prev is that entry's Hash, and its Hash is its content's. The first
// entry that fails is returned as a *BrokenError.
func Verify(ctx context.Context, st store.Store) (Report, error) {
	var prev store.AuditEntry
	var rep Report
	for {
		page, err := st.AuditEntries(ctx, prev.Seq, pageSize)
		if err != nil {
			return rep, fmt.Errorf("audit: verify: %w", err)
		}
		for _, e := range page {
			switch {
			case e.Seq != prev.Seq+1:
				return rep, &BrokenError{Seq: prev.Seq + 1, Why: fmt.Sprintf("missing: the entry after %d is %d", prev.Seq, e.Seq)}
			case e.Prev != prev.Hash:
				return rep, &BrokenError{Seq: e.Seq, Why: fmt.Sprintf("it does not hold the hash of entry %d (that entry was replaced, or one between them removed)", prev.Seq)}
			case Sum(e) != e.Hash:
				return rep, &BrokenError{Seq: e.Seq, Why: "its content does not match its hash (it was edited)"}
			}
			prev = e
			rep.Entries++
			rep.Head = e.Hash
		}
		if len(page) < pageSize {
			return rep, nil
		}
	}
}
