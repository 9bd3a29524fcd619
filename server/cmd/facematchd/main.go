// Command facematchd is punchclock's face matching service for a store's
// LAN: kiosks send frames, it answers with a verdict, punchd fetches the
// audit record. Build it with -tags dlib (make facematchd); without the tag
// it builds but refuses to start, so that go build ./... works everywhere.
//
// Every flag can also come from the environment as PUNCHCLOCK_FACE_<FLAG>
// (e.g. PUNCHCLOCK_FACE_KEY, PUNCHCLOCK_FACE_ADMIN_TOKEN), which keeps the
// key and tokens out of the process list.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/peterbourgon/ff/v3"

	"punchclock/server/internal/facematch"
)

var version = "dev"

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "facematchd:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("facematchd", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8090", "listen address")
	models := fs.String("models", "", "directory with the dlib models (make face-deps puts them in .cache/face/models)")
	dbPath := fs.String("db", "var/facematch.db", "SQLite file for descriptors, consents and audit records")
	key := fs.String("key", "", "32-byte AES-256 key sealing the descriptors, hex or base64 (better: PUNCHCLOCK_FACE_KEY)")
	threshold := fs.Float64("threshold", facematch.DefaultThreshold, "Euclidean distance threshold (dlib's 0.6 = 0.36 squared)")
	margin := fs.Float64("margin", facematch.DefaultMargin, "least gap to the next employee for a match, else not_sure")
	siteThresholds := fs.String("site-thresholds", "", "per-site thresholds, e.g. shop1=0.5,shop2=0.55")
	adminToken := fs.String("admin-token", "", "bearer token for enrolment, deletion and audit (punchd); required")
	kioskToken := fs.String("kiosk-token", "", "optional bearer token kiosks must send to identify")
	punchdURL := fs.String("punchd-url", "", "punchd's base URL: the face data of employees who left are deleted (asked every -leaver-sync)")
	punchdToken := fs.String("punchd-token", "", "punchd API token (role integrator) for -punchd-url")
	leaverSync := fs.Duration("leaver-sync", 5*time.Minute, "how often to ask punchd who has left")
	requireLiveness := fs.Bool("require-liveness", false, "refuse single-frame identification: kiosks must send a head turn to /api/v1/liveness")
	auditKey := fs.String("audit-key", "", "32-byte key shared with punchd (its -face-audit-key), hex or base64: verdicts carry their audit record sealed for punchd")
	if err := ff.Parse(fs, args, ff.WithEnvVarPrefix("PUNCHCLOCK_FACE")); err != nil {
		return err
	}
	k, err := facematch.ParseKey(*key)
	if err != nil {
		return err
	}
	if *punchdURL != "" && *punchdToken == "" {
		return errors.New("-punchd-url needs -punchd-token (a punchd integrator token)")
	}
	if *adminToken == "" {
		return errors.New("an admin token is required (-admin-token or PUNCHCLOCK_FACE_ADMIN_TOKEN)")
	}
	var ak []byte
	if *auditKey != "" {
		if ak, err = facematch.ParseKey(*auditKey); err != nil {
			return fmt.Errorf("-audit-key: %w", err)
		}
	}
	sites, err := parseSites(*siteThresholds)
	if err != nil {
		return err
	}
	ex, closeEx, err := newExtractor(*models)
	if err != nil {
		return err
	}
	defer closeEx()
	st, err := facematch.OpenStore(ctx, *dbPath, k)
	if err != nil {
		return err
	}
	defer st.Close()
	svc, err := facematch.New(ctx, ex, st, facematch.Config{Threshold: *threshold, Margin: *margin, Sites: sites, AuditKey: ak})
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	h := facematch.NewHandler(svc, *adminToken, *kioskToken)
	h.RequireLiveness = *requireLiveness
	h.Log = log
	srv := &http.Server{Addr: *addr, Handler: h, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 16 << 10}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	if *punchdURL != "" {
		ls := &facematch.LeaverSync{Service: svc, PunchdURL: *punchdURL, Token: *punchdToken, Log: log,
			Client: &http.Client{Timeout: 30 * time.Second}}
		go ls.Run(ctx, *leaverSync)
	}
	log.Info("facematchd listening", "addr", *addr, "version", version, "gallery", svc.Stats())
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shut, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return srv.Shutdown(shut)
}

func parseSites(s string) (map[string]facematch.SiteConfig, error) {
	out := map[string]facematch.SiteConfig{}
	for _, kv := range strings.Split(s, ",") {
		if kv = strings.TrimSpace(kv); kv == "" {
			continue
		}
		site, v, ok := strings.Cut(kv, "=")
		f, err := strconv.ParseFloat(v, 64)
		if !ok || err != nil || f <= 0 || f > 2 {
			return nil, fmt.Errorf("-site-thresholds: %q is not site=distance", kv)
		}
		out[site] = facematch.SiteConfig{Threshold: f}
	}
	return out, nil
}
