package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/peterbourgon/ff/v3/ffcli"

	"punchclock/server/internal/backup"
	"punchclock/server/internal/punchd"
)

// pgBackupHelp points PostgreSQL users to their own tools.
const pgBackupHelp = "PostgreSQL has its own: pg_dump -Fc to back up, pg_restore to restore, then `punchd -db URL restore -verify-only` (README, \"Backups\")"

// backupCommands are `punchd backup` and `punchd restore` on the database
// *db names; the work is package backup's.
func backupCommands(db *string) []*ffcli.Command {
	backupFS := flag.NewFlagSet("punchd backup", flag.ContinueOnError)
	verify := backupFS.Bool("verify", true, "check the copy (integrity, every punch signature and chain) after writing it")
	backupCmd := &ffcli.Command{
		Name: "backup", ShortUsage: "punchd [-db DB] backup [-verify=false] FILE", ShortHelp: "copy the SQLite database to FILE while punchd runs, and check the copy",
		FlagSet: backupFS,
		Exec: func(ctx context.Context, args []string) error {
			if len(args) != 1 {
				return errors.New("usage: punchd [-db DB] backup FILE")
			}
			if punchd.IsPostgres(*db) {
				return errors.New("punchd backup copies a SQLite database; " + pgBackupHelp)
			}
			start := time.Now()
			c, err := backup.Backup(ctx, *db, args[0])
			if err != nil {
				return err
			}
			fmt.Printf("backed up %s to %s: %d bytes in %s\n", *db, c.Path, c.Size, time.Since(start).Round(time.Millisecond))
			if !*verify {
				return nil
			}
			start = time.Now()
			rep, err := backup.Verify(ctx, c.Path)
			if err != nil {
				return fmt.Errorf("the backup is written but does not verify (the database itself has the problem): %w", err)
			}
			printReport(os.Stdout, rep, time.Since(start))
			return nil
		},
	}

	restoreFS := flag.NewFlagSet("punchd restore", flag.ContinueOnError)
	verifyOnly := restoreFS.Bool("verify-only", false, "check FILE (without FILE: the database itself, SQLite or PostgreSQL) and install nothing")
	restoreCmd := &ffcli.Command{
		Name: "restore", ShortUsage: "punchd [-db DB] restore [-verify-only] FILE", ShortHelp: "check a backup and install it as the database (stop punchd first)",
		LongHelp: "Checks FILE (integrity, schema, every punch signature and chain), then replaces the\n" +
			"database with it, keeping the replaced one as DB.before-restore-TIME. Refuses while the\n" +
			"database is open: stop punchd first. With -verify-only, checks and installs nothing.",
		FlagSet: restoreFS,
		Exec: func(ctx context.Context, args []string) error {
			if len(args) > 1 || len(args) == 0 && !*verifyOnly {
				return errors.New("usage: punchd [-db DB] restore [-verify-only] FILE")
			}
			if *verifyOnly {
				return verifyCmd(ctx, *db, args)
			}
			if punchd.IsPostgres(*db) {
				return errors.New("punchd restore installs a SQLite backup; " + pgBackupHelp)
			}
			start := time.Now()
			res, err := backup.Restore(ctx, args[0], *db, time.Now())
			if err != nil {
				return err
			}
			printReport(os.Stdout, res.Report, time.Since(start))
			fmt.Printf("restored %s as %s\n", args[0], *db)
			if res.Replaced != "" {
				fmt.Printf("the database it replaced is kept as %s\n", res.Replaced)
			}
			return nil
		},
	}
	return []*ffcli.Command{backupCmd, restoreCmd}
}

// verifyCmd checks the backup file args names, or else the database db.
func verifyCmd(ctx context.Context, db string, args []string) error {
	start := time.Now()
	var rep backup.Report
	var err error
	switch {
	case len(args) == 1:
		rep, err = backup.Verify(ctx, args[0])
	case punchd.IsPostgres(db):
		rep, err = backup.VerifyPostgres(ctx, db)
	default:
		rep, err = backup.Verify(ctx, db)
	}
	if err != nil {
		return err
	}
	printReport(os.Stdout, rep, time.Since(start))
	return nil
}

// printReport says what a check covered.
func printReport(w io.Writer, r backup.Report, took time.Duration) {
	fmt.Fprintf(w, "verified in %s: %d punches of %d device(s), every signature and chain holds", took.Round(time.Millisecond), r.Punches, r.Devices)
	if r.Gaps > 0 {
		fmt.Fprintf(w, " (%d stored after a lost punch, flagged chain_gap)", r.Gaps)
	}
	fmt.Fprintf(w, "; schema %d", r.Schema)
	if r.Schema < r.Current {
		fmt.Fprintf(w, " (punchd migrates it to %d when it opens it)", r.Current)
	}
	fmt.Fprintln(w)
}
