// Command punchd is the punchclock server.
//
//	punchd serve          serve the API and the kiosk PWA (the default)
//	punchd migrate        create or update the database schema and exit
//	punchd token          create an API token (admin, integrator or face)
//	punchd enroll-code    issue a one-time code to enroll a kiosk
//	punchd backup F       copy the SQLite database to F while it serves, and check F
//	punchd restore F      check the backup F and install it (punchd stopped)
//	punchd rules eval F   print the day records of a rule scenario file
//	punchd precompress F  write F.br and F.gz beside F (web/app.wasm)
//
// Every flag can also be set by an environment variable: -db by PUNCHD_DB,
// -addr by PUNCHD_ADDR, and so on. Run `punchd help` for the list.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"
	_ "time/tzdata" // zones must load on hosts without a zone database

	"github.com/peterbourgon/ff/v3"
	"github.com/peterbourgon/ff/v3/ffcli"

	"punchclock/app/console"
	"punchclock/app/rules"
	"punchclock/server/internal/audit"
	"punchclock/server/internal/facematch"
	"punchclock/server/internal/httpapi"
	"punchclock/server/internal/punchd"
	"punchclock/server/internal/store"
)

// version is set at build time: -ldflags "-X main.version=..."
var version = "dev"

func main() {
	if err := run(context.Background(), os.Args[1:]); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "punchd:", err)
		}
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	root := flag.NewFlagSet("punchd", flag.ContinueOnError)
	db := root.String("db", "var/punchclock.db", "SQLite file path, or a postgres:// URL")
	cfg := punchd.Config{Version: version}

	serveFS := flag.NewFlagSet("punchd serve", flag.ContinueOnError)
	addr := serveFS.String("addr", "127.0.0.1:8080", "address to listen on (0.0.0.0:8080 for tablets on the LAN)")
	serveFS.StringVar(&cfg.WebDir, "web", "web", "go-app static folder with app.wasm")
	serveFS.StringVar(&cfg.DataDir, "data", "", "folder for demo credentials and export job files (default: the database file's folder); instances on one PostgreSQL share it")
	serveFS.IntVar(&cfg.ExportWorkers, "export-workers", 1, "export jobs run at once (POST /api/v1/report/export; 1 or 2 on a small server)")
	serveFS.BoolVar(&cfg.Demo, "demo", false, "seed an empty database with the demo organisation (a seed a crash interrupted is finished at the next start)")
	serveFS.StringVar(&cfg.DemoFaceURL, "demo-face-url", "", "face service address of the demo store (default http://127.0.0.1:8090); only when -demo seeds an empty database")
	trust := serveFS.String("trust-proxy", "", "comma-separated addresses or CIDRs of the reverse proxies in front of punchd (haproxy, nginx): their X-Forwarded-For names the client")
	serveFS.StringVar(&cfg.BadgeFont, "badge-font", "", "CJK TrueType font for badge sheets (default: Debian's fonts-droid-fallback)")
	serveFS.StringVar(&cfg.FaceAdminToken, "face-admin-token", "", "the sites' facematchd -admin-token: punchd enrolls and deletes faces for the console with it (better: PUNCHD_FACE_ADMIN_TOKEN)")
	serveFS.BoolVar(&cfg.WebhookPrivate, "webhook-private", false, "let webhook endpoints be on loopback and private networks (refused by default against SSRF)")
	serveFS.DurationVar(&cfg.LocationRetention, "location-retention", 0, "how long field staff's location points are kept (default 2160h, 90 days; -1ns keeps them for ever)")
	serveFS.DurationVar(&cfg.PullInterval, "pull-interval", 0, "how often terminals registered with a pull address (TCP 4370) are read (default 1m; negative: never)")
	serveFS.DurationVar(&cfg.FeedLag, "feed-lag", 0, "how far behind now the change feed and the webhooks read punches (default 1m; above the longest ingest commit and the clock skew between instances)")
	faceKey := serveFS.String("face-audit-key", "", "32-byte key (hex or base64) shared with the sites' facematchd -audit-key: face punches must carry a verdict sealed with it")
	serve := &ffcli.Command{
		Name: "serve", ShortUsage: "punchd [-db DB] serve [flags]", ShortHelp: "serve the API and the kiosk PWA",
		FlagSet: serveFS, Options: []ff.Option{ff.WithEnvVarPrefix("PUNCHD")},
		Exec: func(ctx context.Context, _ []string) error {
			cfg.DB = *db
			var err error
			if cfg.TrustProxies, err = punchd.ParsePrefixes(*trust); err != nil {
				return fmt.Errorf("-trust-proxy: %w", err)
			}
			if *faceKey != "" {
				k, err := facematch.ParseKey(*faceKey)
				if err != nil {
					return fmt.Errorf("-face-audit-key: %w", err)
				}
				cfg.FaceAuditKey = k
			}
			return serveCmd(ctx, cfg, *addr)
		},
	}

	migrate := &ffcli.Command{
		Name: "migrate", ShortUsage: "punchd [-db DB] migrate", ShortHelp: "create or update the database schema",
		Exec: func(ctx context.Context, _ []string) error {
			st, err := punchd.OpenStore(ctx, *db)
			if err != nil {
				return err
			}
			fmt.Println("database is up to date:", *db)
			return st.Close()
		},
	}

	tokenFS := flag.NewFlagSet("punchd token", flag.ContinueOnError)
	role := tokenFS.String("role", httpapi.RoleIntegrator, "admin, integrator, or face (facematchd's -punchd-token: reads employees and devices only)")
	tokName := tokenFS.String("name", "", "who or what uses the token")
	tokFile := tokenFS.String("file", "", "keep the token in this file (mode 600) instead of printing it: made once, registered again at every call, so `make run` can call it at every start")
	tokScope := tokenFS.String("scope", "", "space-separated resources the token may use, e.g. \"attendance:read punches:read\" (empty: all its role allows)")
	tokTTL := tokenFS.Duration("ttl", 0, "the token's life, e.g. 2160h (0: it never expires)")
	tokRate := tokenFS.Int("rate", 0, fmt.Sprintf("requests a minute the token may make (0: %d; at most %d)", httpapi.DefaultTokenRate, httpapi.MaxTokenRate))
	tokRevoke := tokenFS.String("revoke", "", "revoke the token with this id (GET /api/v1/admin/tokens lists them) instead of making one")
	token := &ffcli.Command{
		Name: "token", ShortUsage: "punchd [-db DB] token -name NAME [-role admin|integrator|face] [-scope SCOPE] [-rate N] [-ttl DURATION] [-file FILE] | -revoke ID", ShortHelp: "create an API token and print it once, or revoke one",
		FlagSet: tokenFS,
		Exec: func(ctx context.Context, _ []string) error {
			if *tokRevoke != "" {
				return revokeTokenCmd(ctx, *db, *tokRevoke)
			}
			if !slices.Contains(httpapi.Roles, *role) {
				return fmt.Errorf("role must be one of %s, not %q", strings.Join(httpapi.Roles, ", "), *role)
			}
			if strings.TrimSpace(*tokName) == "" {
				return errors.New("-name is required: say who or what uses the token")
			}
			tok, err := tokenFor(*role, *tokFile)
			if err != nil {
				return err
			}
			st, err := punchd.OpenStore(ctx, *db)
			if err != nil {
				return err
			}
			defer st.Close()
			api := httpapi.New(st, time.Now, slog.Default(), version)
			api.Handler()
			if err := api.CheckScope(*tokScope); err != nil {
				return err
			}
			if *tokRate < 0 || *tokRate > httpapi.MaxTokenRate {
				return fmt.Errorf("-rate must be between 0 and %d", httpapi.MaxTokenRate)
			}
			t := store.Token{Hash: httpapi.HashToken(tok), Name: *tokName, Role: *role, Scope: strings.Join(strings.Fields(*tokScope), " "), RatePerMin: *tokRate, CreatedAt: time.Now()}
			if *tokTTL > 0 {
				t.ExpiresAt = t.CreatedAt.Add(*tokTTL)
			}
			if err := st.PutToken(ctx, t); err != nil {
				return err
			}
			if err := recordCLI(ctx, st, audit.Event{Action: audit.ActionToken, Target: *tokName, Detail: map[string]string{"role": *role, "scope": t.Scope}}); err != nil {
				return err
			}
			if *tokFile == "" {
				fmt.Println(tok)
			}
			return nil
		},
	}

	codeFS := flag.NewFlagSet("punchd enroll-code", flag.ContinueOnError)
	site := codeFS.String("site", "", "site id the kiosk will serve")
	ttl := codeFS.Duration("ttl", 24*time.Hour, "how long the code stays valid")
	enrollCode := &ffcli.Command{
		Name: "enroll-code", ShortUsage: "punchd [-db DB] enroll-code -site SITE [-ttl 24h]", ShortHelp: "issue a one-time kiosk enrollment code",
		FlagSet: codeFS,
		Exec: func(ctx context.Context, _ []string) error {
			st, err := punchd.OpenStore(ctx, *db)
			if err != nil {
				return err
			}
			defer st.Close()
			api := httpapi.New(st, time.Now, slog.Default(), version)
			code, exp, err := api.Devices.IssueCode(ctx, *site, *ttl, "cli")
			if err != nil {
				return err
			}
			if err := recordCLI(ctx, st, audit.Event{Action: audit.ActionEnrollCode, Target: *site, Detail: map[string]time.Time{"expires_at": exp}}); err != nil {
				return err
			}
			fmt.Printf("%s (site %s, valid until %s)\n", code, *site, exp.Local().Format(time.RFC3339))
			return nil
		},
	}

	precompress := &ffcli.Command{
		Name: "precompress", ShortUsage: "punchd precompress FILE...", ShortHelp: "write FILE.br and FILE.gz for serving compressed (make does it for web/app.wasm)",
		Exec: func(_ context.Context, args []string) error {
			if len(args) == 0 {
				return errors.New("usage: punchd precompress FILE...")
			}
			return punchd.Precompress(args...)
		},
	}

	rulesEval := &ffcli.Command{
		Name: "eval", ShortUsage: "punchd rules eval FILE", ShortHelp: "print the day records of a rule scenario file as JSON",
		LongHelp: "Reads a scenario (testdata/rules/README.md documents the format: rules, calendar, schedule,\n" +
			"punches and approvals in) and prints the computed day records, cycle summaries and any\n" +
			"expectation of the file that does not hold. Exits 1 when an expectation fails.",
		Exec: func(ctx context.Context, args []string) error { return rulesEvalCmd(os.Stdout, args) },
	}
	rulesCmd := &ffcli.Command{
		Name: "rules", ShortUsage: "punchd rules <subcommand>", ShortHelp: "work with attendance rules",
		Subcommands: []*ffcli.Command{rulesEval},
		Exec:        func(context.Context, []string) error { return flag.ErrHelp },
	}

	cmd := &ffcli.Command{
		ShortUsage:  "punchd [-db DB] <subcommand> [flags]",
		FlagSet:     root,
		Options:     []ff.Option{ff.WithEnvVarPrefix("PUNCHD")},
		Subcommands: append([]*ffcli.Command{serve, migrate, token, enrollCode, rulesCmd, precompress, auditCommand(db, os.Stdout), userCommand(db, os.Stdin, os.Stdout)}, backupCommands(db)...),
		Exec: func(ctx context.Context, args []string) error {
			return serve.ParseAndRun(ctx, args)
		},
	}
	return cmd.ParseAndRun(ctx, args)
}

// tokenFor returns a new API token of role, or with file the token kept
// there, made and written (mode 600) if the file does not exist yet. Kept
// in a file, the same token is registered again at every call: the
// database may be new (a removed var/punchclock.db), the token's user
// (facematchd) keeps working.
func tokenFor(role, file string) (string, error) {
	if file != "" {
		b, err := os.ReadFile(file)
		switch {
		case err == nil && strings.TrimSpace(string(b)) == "":
			return "", fmt.Errorf("%s is empty: remove it to make a new token", file)
		case err == nil:
			return strings.TrimSpace(string(b)), nil
		case !errors.Is(err, os.ErrNotExist):
			return "", err
		}
	}
	tok := httpapi.NewToken(role)
	if file == "" {
		return tok, nil
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		return "", err
	}
	// O_EXCL: two starts at once do not overwrite each other's token.
	f, err := os.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", fmt.Errorf("token file: %w", err)
	}
	if _, err := f.WriteString(tok + "\n"); err != nil {
		f.Close()
		return "", fmt.Errorf("token file: %w", err)
	}
	return tok, f.Close()
}

// rulesEvalCmd evaluates a scenario file: "why was this day marked late?"
func rulesEvalCmd(w io.Writer, args []string) error {
	if len(args) != 1 {
		return errors.New("usage: punchd rules eval FILE")
	}
	f, err := os.Open(args[0])
	if err != nil {
		return err
	}
	defer f.Close()
	res, err := rules.EvalScenario(f)
	if err != nil {
		return fmt.Errorf("%s: %w", args[0], err)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(res); err != nil {
		return err
	}
	if len(res.Failures) > 0 {
		return fmt.Errorf("%s: %d expectation(s) do not hold: %s", args[0], len(res.Failures), strings.Join(res.Failures, "; "))
	}
	return nil
}

func serveCmd(ctx context.Context, cfg punchd.Config, addr string) error {
	cfg.Log = slog.New(slog.NewTextHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	m, err := punchd.Open(ctx, cfg)
	if err != nil {
		return err
	}
	if err := m.Listen(addr); err != nil {
		m.Close()
		return err
	}
	printWelcome(ctx, m)
	errc := make(chan error, 1)
	go func() { errc <- m.Serve() }()
	select {
	case err = <-errc:
	case <-ctx.Done():
		cfg.Log.Info("shutting down")
	}
	return errors.Join(err, m.Close())
}

func printWelcome(ctx context.Context, m *punchd.Main) {
	u := m.URL()
	fmt.Printf("\npunchd %s serving on %s (database %s)\n", m.Config.Version, u, m.Config.DB)
	fmt.Printf("  kiosk PWA       %s/\n", u)
	fmt.Printf("  admin console   %s%s/   (the first account: punchd -db %s user -id u-admin -login you@example.com -name \"Your Name\" -password-file -)\n", u, console.Prefix, m.Config.DB)
	fmt.Printf("  API             %s/api/v1/   (OpenAPI: %s/api/v1/openapi.json)\n", u, u)
	switch d := m.Demo; {
	case !m.Config.Demo:
	case d.Skipped != "":
		fmt.Printf("  demo            not seeded: %s\n", d.Skipped)
	case d.AdminToken != "":
		if d.Resumed {
			fmt.Printf("  demo            finished seeding the demo organisation an earlier start left incomplete\n")
		}
		fmt.Printf("  admin token     %s   (curl -H 'Authorization: Bearer %s' %s/api/v1/punches)\n", d.AdminToken, d.AdminToken, u)
		if d.KioskID != "" {
			fmt.Printf("  demo kiosk      %s (key in %s)\n", d.KioskID, m.Config.DataDir)
		}
		fmt.Printf("  demo badges     PC-0001 to PC-0030 (employees E001 to E030)\n")
		if code, _, err := m.API.Devices.IssueCode(ctx, "sh-jingan", 24*time.Hour, "make run"); err == nil {
			fmt.Printf("  enroll a tablet with code %s (site sh-jingan, valid 24 h)\n", code)
		}
	}
	fmt.Println()
}
