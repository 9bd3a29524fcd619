// Package punchd assembles the punch server: storage chosen by the
// database setting, the API, the go-app PWA, and the demo seed. Main has
// Open, Serve and Close, and end-to-end tests use it exactly as the
// command does.
package punchd

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"punchclock/app/console"
	"punchclock/kiosk/pages"
	"punchclock/server/internal/demo"
	"punchclock/server/internal/exportjob"
	"punchclock/server/internal/faceadmin"
	"punchclock/server/internal/httpapi"
	"punchclock/server/internal/postgres"
	"punchclock/server/internal/sqlite"
	"punchclock/server/internal/store"
	"punchclock/server/internal/terminal"
	"punchclock/server/internal/webhook"
	"punchclock/server/internal/zkpull"
)

// Config is punchd's configuration.
type Config struct {
	// DB is a SQLite file path (the default) or a postgres:// URL.
	DB string
	// WebDir is go-app's static folder (app.wasm, icons, styles).
	WebDir string
	// DataDir holds the demo credentials and the export jobs' files
	// (exports/; punchd instances on one PostgreSQL share their jobs, so
	// they should share this folder too).
	DataDir string
	// Demo seeds an empty store with the demo organisation, or finishes
	// a demo seed a crash interrupted (see demo.Seed).
	Demo bool
	// DemoFaceURL is the demo store's face service address ("" keeps
	// demo's default, http://127.0.0.1:8090).
	DemoFaceURL string
	// Version is the build's version; kiosks update when it changes.
	Version string
	// FaceAuditKey is the 32-byte key the sites' face services seal their
	// verdicts with (facematchd -audit-key); nil accepts face punches
	// unverified.
	FaceAuditKey []byte
	// FaceAdminToken is the sites' face services' -admin-token: with it
	// punchd manages face enrolments for the console ("" leaves them off).
	FaceAdminToken string
	// BadgeFont is the CJK TrueType font of badge sheets ("" the first
	// of badges.FontPaths found).
	BadgeFont string
	// TrustProxies are the addresses of the reverse proxies in front of
	// punchd: a request from one of them is from the client its
	// X-Forwarded-For header names (for the limiters and the per-address
	// caps). Empty trusts no header.
	TrustProxies []netip.Prefix
	// ExportWorkers is how many export jobs run at once (0: one).
	ExportWorkers int
	// LocationRetention is how long field staff's location points are
	// kept (0: DefaultLocationRetention; negative: for ever). They are
	// deleted at start and then every PruneEvery (0: an hour).
	LocationRetention, PruneEvery time.Duration
	// WebhookPrivate lets webhook endpoints be on loopback and private
	// networks (off: refused, against SSRF).
	WebhookPrivate bool
	// WebhookClient posts the webhooks (nil: webhook.Client).
	WebhookClient *http.Client
	// WebhookTimeout bounds each attempt and WebhookInterval is the wait
	// between the dispatcher's steps (0: the webhook package's defaults).
	WebhookTimeout, WebhookInterval time.Duration
	// FeedLag holds the change feed's windows behind now (0:
	// changefeed.DefaultLag).
	FeedLag time.Duration
	// PullInterval is how often terminals read with the pull protocol
	// are polled (0: zkpull.DefaultInterval, a minute; negative: never,
	// for a punchd that leaves them to another instance).
	PullInterval time.Duration
	Now          func() time.Time
	Log          *slog.Logger
}

// Main is a running punchd.
type Main struct {
	Config Config
	Store  store.Store
	API    *httpapi.Server
	Demo   demo.Result

	srv *http.Server
	ln  net.Listener
	// stopListen ends the revocation listener (PostgreSQL) and waits.
	stopListen func()
	// stopExports ends the export job workers and waits.
	stopExports func()
	// stopWebhooks ends the webhook dispatcher and waits.
	stopWebhooks func()
	// stopPrune ends the location retention's loop and waits.
	stopPrune func()
	// Pull polls the pull-protocol terminals (nil with PullInterval < 0);
	// stopPull ends its loop and waits.
	Pull     *zkpull.Poller
	stopPull func()
}

var routesOnce sync.Once

// OpenStore opens the store the DB setting names.
func OpenStore(ctx context.Context, db string) (store.Store, error) {
	if IsPostgres(db) {
		return postgres.Open(ctx, db)
	}
	if err := os.MkdirAll(filepath.Dir(db), 0o700); err != nil {
		return nil, fmt.Errorf("punchd: %w", err)
	}
	return sqlite.Open(ctx, db)
}

// IsPostgres reports whether the DB setting names a PostgreSQL database
// (a postgres:// URL) rather than a SQLite file.
func IsPostgres(db string) bool {
	return strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://")
}

// ParsePrefixes reads a comma-separated list of addresses and CIDR
// prefixes ("10.0.0.5, 127.0.0.0/8").
func ParsePrefixes(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(list, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if !strings.Contains(f, "/") {
			a, err := netip.ParseAddr(f)
			if err != nil {
				return nil, err
			}
			out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			return nil, err
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// Open opens the store (migrating it), seeds the demo if asked, and builds
// the HTTP handler.
func Open(ctx context.Context, cfg Config) (*Main, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Version == "" {
		cfg.Version = "dev"
	}
	if cfg.DataDir == "" {
		cfg.DataDir = "var"
		if !IsPostgres(cfg.DB) {
			cfg.DataDir = filepath.Dir(cfg.DB)
		}
	}
	st, err := OpenStore(ctx, cfg.DB)
	if err != nil {
		return nil, err
	}
	m := &Main{Config: cfg, Store: st, API: httpapi.New(st, cfg.Now, cfg.Log, cfg.Version)}
	m.API.Punches.FaceAuditKey = cfg.FaceAuditKey
	// The NFC tag key is made (or read) now, so that no punch waits on it
	// and a store that cannot keep it stops punchd at once.
	if _, err := m.API.TagKeys.Public(ctx); err != nil {
		st.Close()
		return nil, err
	}
	if cfg.FaceAdminToken != "" {
		m.API.Face = &faceadmin.Client{Token: cfg.FaceAdminToken}
	}
	m.API.Feed.Lag = cfg.FeedLag
	m.API.Webhooks = &webhook.Dispatcher{Store: st, Feed: m.API.Feed, Now: cfg.Now, Client: cfg.WebhookClient, AllowPrivate: cfg.WebhookPrivate,
		Log: cfg.Log, Timeout: cfg.WebhookTimeout, Interval: cfg.WebhookInterval}
	m.API.BadgeFont = cfg.BadgeFont
	m.API.TrustProxies = cfg.TrustProxies
	if cfg.Demo {
		if m.Demo, err = demo.Seed(ctx, st, cfg.DataDir, cfg.Now, httpapi.HashToken, cfg.DemoFaceURL); err != nil {
			st.Close()
			return nil, err
		}
	}
	m.API.Exports = &exportjob.Runner{Store: st, Days: m.API.Days, Dir: filepath.Join(cfg.DataDir, "exports"), Now: cfg.Now, Log: cfg.Log, Workers: cfg.ExportWorkers}
	if m.stopExports, err = m.API.Exports.Start(); err != nil {
		st.Close()
		return nil, err
	}
	// The webhook dispatcher: its outbox is in the store, so what it had
	// not sent when punchd stopped is sent after the restart.
	wctx, wcancel := context.WithCancel(context.Background())
	wdone := make(chan struct{})
	go func() {
		defer close(wdone)
		m.API.Webhooks.Run(wctx)
	}()
	m.stopWebhooks = func() { wcancel(); <-wdone }
	m.stopPrune = m.pruneLocations(cfg)
	m.stopPull = m.pollTerminals(cfg)
	if IsPostgres(cfg.DB) {
		// Other instances on the database revoke devices too: drop them
		// from this one's cache when they say so.
		lctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			defer close(done)
			postgres.Listen(lctx, cfg.DB, postgres.Revocations{Revoked: m.API.Devices.Forget, Reset: m.API.Devices.ForgetAll, Log: cfg.Log})
		}()
		m.stopListen = func() { cancel(); <-done }
	}
	return m, nil
}

// Handler serves the API under /api/ and the PWA everywhere else, compressed
// for clients that take it.
func (m *Main) Handler() http.Handler {
	routesOnce.Do(func() {
		pages.Routes()
		console.Routes()
	})
	h := pages.Handler(m.Config.Version)
	if m.Config.WebDir != "" {
		d := webDir(m.Config.WebDir)
		h.Resources = d
		h.WasmContentLength = d.wasmLength()
	}
	mux := http.NewServeMux()
	if m.Config.WebDir != "" {
		// The CJK web font, when built: listed in the service worker's
		// cache only if it is there (one missing resource fails the
		// worker's whole cache.addAll, and with it the kiosk offline).
		font := &webFont{path: filepath.Join(m.Config.WebDir, pages.CJKFontFile)}
		if u := font.URL(); u != "" {
			h.CacheableResources = append(h.CacheableResources, u)
			h.RawHeaders = append(h.RawHeaders, "<style>"+pages.FontFace(u)+"</style>")
		}
		mux.Handle("/web/"+pages.CJKFontFile, font)
	}
	mux.Handle("/api/", m.API.Handler())
	// Hardware terminals call fixed paths (package terminal).
	mux.Handle(terminal.Prefix, m.API.TerminalHandler())
	ch := m.consoleHandler()
	mux.Handle(console.Prefix, ch)
	mux.Handle(console.Prefix+"/", ch)
	mux.Handle("/", h)
	return compress(mux)
}

// Listen binds addr ("127.0.0.1:0" picks a free port).
func (m *Main) Listen(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("punchd: listen %s: %w", addr, err)
	}
	m.ln = ln
	m.srv = &http.Server{
		Handler:           m.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	return nil
}

// URL is the base URL of the listener.
func (m *Main) URL() string {
	return "http://" + m.ln.Addr().String()
}

// Serve serves until Close; it returns nil after a Close.
func (m *Main) Serve() error {
	if err := m.srv.Serve(m.ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("punchd: serve: %w", err)
	}
	return nil
}

// Close stops serving (letting requests in flight finish for up to ten
// seconds) and closes the store.
func (m *Main) Close() error {
	var errs []error
	if m.srv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		errs = append(errs, m.srv.Shutdown(ctx))
	}
	if m.stopListen != nil {
		m.stopListen()
	}
	if m.stopExports != nil {
		m.stopExports()
	}
	if m.stopPrune != nil {
		m.stopPrune()
	}
	if m.stopPull != nil {
		m.stopPull()
	}
	if m.stopWebhooks != nil {
		m.stopWebhooks()
	}
	errs = append(errs, m.Store.Close())
	return errors.Join(errs...)
}
