package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/peterbourgon/ff/v3/ffcli"

	"punchclock/server/internal/audit"
	"punchclock/server/internal/auth"
	"punchclock/server/internal/punchd"
)

// userCommand is `punchd user`: create or change an account, such as the
// first super admin, on the database *db.
func userCommand(db *string, stdin io.Reader, out io.Writer) *ffcli.Command {
	fs := flag.NewFlagSet("punchd user", flag.ContinueOnError)
	id := fs.String("id", "", "account id (e.g. u-admin)")
	var req auth.UserRequest
	fs.StringVar(&req.Login, "login", "", "what the person signs in with (e.g. an e-mail address)")
	fs.StringVar(&req.Name, "name", "", "the person's name")
	fs.StringVar(&req.Role, "role", auth.RoleSuperAdmin, strings.Join(auth.Roles, ", "))
	fs.StringVar(&req.Unit, "unit", "", "the business unit of an hr account")
	fs.StringVar(&req.DepartmentID, "department", "", "the department of a manager account")
	fs.StringVar(&req.EmployeeID, "employee", "", "the employee an employee account is")
	pwFile := fs.String("password-file", "-", "read the password from this file's first line (- : standard input)")
	disable := fs.Bool("disable", false, "disable the account (ends its sessions)")
	return &ffcli.Command{
		Name: "user", ShortUsage: "punchd [-db DB] user -id ID -login LOGIN [-role super_admin] [-password-file FILE|-]", ShortHelp: "create or change an account that signs in (the first super admin)",
		FlagSet: fs,
		Exec: func(ctx context.Context, _ []string) error {
			if *id == "" {
				return errors.New("-id is required")
			}
			var r io.Reader = stdin
			if *pwFile != "-" {
				f, err := os.Open(*pwFile)
				if err != nil {
					return err
				}
				defer f.Close()
				r = f
			}
			line, err := bufio.NewReader(r).ReadString('\n')
			if err != nil && !errors.Is(err, io.EOF) {
				return fmt.Errorf("read the password: %w", err)
			}
			req.Password = strings.TrimRight(line, "\r\n")
			active := !*disable
			req.Active = &active
			st, err := punchd.OpenStore(ctx, *db)
			if err != nil {
				return err
			}
			defer st.Close()
			svc := &auth.Service{Store: st, Now: time.Now, Audit: &audit.Log{Store: st, Now: time.Now}, Log: slog.Default()}
			u, created, err := svc.PutUser(ctx, *id, req, "cli")
			if err != nil {
				return err
			}
			verb := "changed"
			if created {
				verb = "created"
			}
			fmt.Fprintf(out, "%s account %s (%s, role %s, password set: %v)\n", verb, u.ID, u.Login, u.Role, u.PasswordHash != "")
			return nil
		},
	}
}
