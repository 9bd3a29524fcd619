package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/peterbourgon/ff/v3/ffcli"

	"punchclock/server/internal/audit"
	"punchclock/server/internal/punchd"
	"punchclock/server/internal/store"
)

// auditCommand is `punchd audit verify` on the database *db.
func auditCommand(db *string, out io.Writer) *ffcli.Command {
	verify := &ffcli.Command{
		Name: "verify", ShortUsage: "punchd [-db DB] audit verify", ShortHelp: "check the audit log's hash chain and name the first broken entry",
		LongHelp: "Walks the audit log from its first entry: each entry must follow the one before,\n" +
			"hold its hash, and match its own. Prints the number of entries and the head hash (keep\n" +
			"it elsewhere: a later head that does not descend from it means the tail was cut).\n" +
			"Exits non-zero, naming the entry, when the chain is broken.",
		Exec: func(ctx context.Context, args []string) error {
			if len(args) != 0 {
				return errors.New("usage: punchd [-db DB] audit verify")
			}
			st, err := punchd.OpenStore(ctx, *db)
			if err != nil {
				return err
			}
			defer st.Close()
			rep, err := audit.Verify(ctx, st)
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "audit log holds: %d entries, head %s\n", rep.Entries, rep.Head)
			return nil
		},
	}
	return &ffcli.Command{
		Name: "audit", ShortUsage: "punchd [-db DB] audit <subcommand>", ShortHelp: "work with the audit log",
		Subcommands: []*ffcli.Command{verify},
		Exec:        func(context.Context, []string) error { return flag.ErrHelp },
	}
}

// recordCLI appends an act done from the command line to the audit log.
func recordCLI(ctx context.Context, st store.Store, ev audit.Event) error {
	ev.Actor = "cli"
	l := audit.Log{Store: st, Now: time.Now}
	if _, err := l.Record(ctx, ev); err != nil {
		return fmt.Errorf("the act is done but the audit log did not take it: %w", err)
	}
	return nil
}

// revokeTokenCmd is `punchd token -revoke ID`.
func revokeTokenCmd(ctx context.Context, db, id string) error {
	st, err := punchd.OpenStore(ctx, db)
	if err != nil {
		return err
	}
	defer st.Close()
	t, err := st.RevokeToken(ctx, id, time.Now())
	if err != nil {
		return err
	}
	if err := recordCLI(ctx, st, audit.Event{Action: audit.ActionTokenRevoke, Target: t.Name, Detail: map[string]string{"id": t.ID}}); err != nil {
		return err
	}
	fmt.Printf("revoked token %s (%s) at %s\n", t.ID, t.Name, t.RevokedAt.Local().Format(time.RFC3339))
	return nil
}
