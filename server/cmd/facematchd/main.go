// Command facematchd is punchclock's face matching service for a store's
// LAN: kiosks send frames, it answers with a verdict and that verdict's
// audit record sealed for punchd (-audit-key), which the kiosk carries in
// the signed face punch; admins read its own audit trail at
// /api/v1/audit/{id}. Build it with -tags dlib (make facematchd); without the tag
// it builds but refuses to start, so that go build ./... works everywhere.
//
// Every flag can also come from the environment as PUNCHCLOCK_FACE_<FLAG>
// (e.g. PUNCHCLOCK_FACE_KEY, PUNCHCLOCK_FACE_ADMIN_TOKEN,
// PUNCHCLOCK_FACE_TLS_CERT), which keeps the key and tokens out of the
// process list.
//
// Kiosks authenticate in one of two ways. Linked to punchd (-punchd-url
// and a -punchd-token of role face), the service learns the enrolled
// kiosks and their public keys, keeps them in its database for when
// punchd is out of reach, and takes only requests the kiosks sign with
// their device keys. Without a link, -kiosk-token is a shared bearer
// token the clients send; with neither, the kiosk endpoints are open to
// the LAN. Kiosk pages served over https can only call an https face
// service: give it a certificate with -tls-cert and -tls-key.
package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
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
	kioskToken := fs.String("kiosk-token", "", "bearer token clients may send to identify instead of a kiosk signature (setups without -punchd-url)")
	punchdURL := fs.String("punchd-url", "", "punchd's base URL: kiosks must sign their requests as the devices punchd enrolled (asked every -device-sync), and the face data of employees who left are deleted (asked every -leaver-sync)")
	punchdToken := fs.String("punchd-token", "", "punchd API token of role face (punchd token -role face) for -punchd-url")
	leaverSync := fs.Duration("leaver-sync", 5*time.Minute, "how often to ask punchd who has left")
	deviceSync := fs.Duration("device-sync", time.Minute, "how often to ask punchd for its kiosks (a kiosk not yet known is asked for at once)")
	tlsCert := fs.String("tls-cert", "", "PEM certificate (chain) to serve HTTPS with, as kiosk pages served over https need")
	tlsKey := fs.String("tls-key", "", "PEM private key of -tls-cert")
	requireLiveness := fs.Bool("require-liveness", true, "refuse single-frame identification: kiosks must send a head turn to /api/v1/liveness (false lets a photo of an enrolled employee punch)")
	auditKey := fs.String("audit-key", "", "32-byte key shared with punchd (its -face-audit-key), hex or base64: verdicts carry their audit record sealed for punchd")
	if err := ff.Parse(fs, args, ff.WithEnvVarPrefix("PUNCHCLOCK_FACE")); err != nil {
		return err
	}
	k, err := facematch.ParseKey(*key)
	if err != nil {
		return err
	}
	if *punchdURL != "" && *punchdToken == "" {
		return errors.New("-punchd-url needs -punchd-token (a punchd token of role face: punchd token -role face)")
	}
	tc, err := tlsConfig(*tlsCert, *tlsKey)
	if err != nil {
		return err
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
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *punchdURL != "" {
		client := &http.Client{Timeout: 30 * time.Second}
		ds := &facematch.DeviceSync{Store: st, PunchdURL: *punchdURL, Token: *punchdToken, Client: client, Log: log}
		h.Devices = ds
		go ds.Run(ctx, *deviceSync)
		ls := &facematch.LeaverSync{Service: svc, PunchdURL: *punchdURL, Token: *punchdToken, Log: log, Client: client}
		go ls.Run(ctx, *leaverSync)
		es := &facematch.EventSync{Store: st, PunchdURL: *punchdURL, Token: *punchdToken, Log: log, Client: client}
		go es.Run(ctx, *deviceSync)
	} else if *kioskToken == "" {
		log.Warn("identify and liveness are open to anyone on the network: link punchd (-punchd-url) so kiosks sign, or set -kiosk-token")
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := newServer(h, tc)
	errc := make(chan error, 1)
	go func() { errc <- serve(srv, ln) }()
	scheme := "http"
	if tc != nil {
		scheme = "https"
	}
	log.Info("facematchd listening", "url", scheme+"://"+ln.Addr().String(), "version", version, "gallery", svc.Stats())
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shut, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return srv.Shutdown(shut)
}

// tlsConfig loads the certificate and key facematchd serves HTTPS with;
// neither gives nil (plain HTTP), one without the other an error.
func tlsConfig(certFile, keyFile string) (*tls.Config, error) {
	if certFile == "" && keyFile == "" {
		return nil, nil
	}
	if certFile == "" || keyFile == "" {
		return nil, errors.New("-tls-cert and -tls-key go together")
	}
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("-tls-cert/-tls-key: %w", err)
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
}

// newServer makes the HTTP server of h, with HTTPS when tc is set.
func newServer(h http.Handler, tc *tls.Config) *http.Server {
	return &http.Server{Handler: h, TLSConfig: tc, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 16 << 10}
}

// serve serves srv on ln, over TLS when srv has a TLS configuration.
func serve(srv *http.Server, ln net.Listener) error {
	if srv.TLSConfig != nil {
		return srv.ServeTLS(ln, "", "")
	}
	return srv.Serve(ln)
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
