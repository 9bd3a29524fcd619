// Command wasm is the PWA's entry point for GOOS=js: it registers the
// pages, tells them how to open the kiosk's and the phone's storage and
// syncer, and hands the page to go-app. Build it into web/app.wasm with
// `make wasm`.
package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"punchclock/app/wire"
	"punchclock/kiosk/outbox"
	"punchclock/kiosk/pages"
	"punchclock/kiosk/syncer"
)

// dbName is the kiosk's IndexedDB database.
const dbName = "punchclock-outbox"

func main() {
	pages.Routes()
	if app.IsClient {
		pages.Boot(func(ctx context.Context) (*pages.Env, error) {
			return boot(ctx, openStore, outbox.Options{Clock: time.Now})
		})
		// The phone page keeps its own database, and no dedup window: a
		// phone punch is single use per kiosk token, which the server
		// enforces (see pages.BootPhone).
		pages.BootPhone(func(ctx context.Context) (*pages.Env, error) {
			return boot(ctx, pages.OpenPhoneStore, outbox.Options{Clock: time.Now, DedupWindow: -1})
		})
	}
	app.RunWhenOnBrowser()
}

// boot opens the outbox over the IndexedDB store open returns and asks the
// browser to keep it. The syncer starts once the device is enrolled or
// activated (pages call StartSync).
func boot(ctx context.Context, open func(context.Context) (outbox.Store, error), opts outbox.Options) (*pages.Env, error) {
	st, err := open(ctx)
	if err != nil {
		return nil, err
	}
	ob, err := outbox.Open(ctx, st, opts)
	if err != nil {
		st.Close()
		return nil, err
	}
	var env *pages.Env
	env = &pages.Env{
		Outbox: ob,
		Client: httpClient,
		Clock:  time.Now,
		StartSync: func(base string, notify func()) (*syncer.Syncer, error) {
			s, err := syncer.New(syncer.Config{
				BaseURL: base,
				Client:  httpClient,
				Outbox:  ob,
				Clock:   time.Now,
				Rand:    rand.Float64,
				Wait:    syncer.Sleep,
				Notify:  notify,
				Health:  func() (wire.Health, bool) { return env.Health() },
			})
			if err != nil {
				return nil, err
			}
			go func() {
				// Run returns only on a fatal error (an unknown or revoked
				// device); the status strip shows it from the syncer's
				// Status, so there is nothing more to do with it here.
				err := s.Run(context.Background())
				app.Logf("syncer stopped: %v", err)
				notify()
			}()
			return s, nil
		},
	}
	// An evicted outbox loses punches: ask for persistent storage and let
	// the status strip say when the browser refused.
	env.Persisted, env.PersistErr = requestPersist(ctx)
	if env.PersistErr != nil {
		app.Logf("storage persistence: %v", env.PersistErr)
	}
	// The session's first strictly durable IndexedDB write costs about
	// 100 ms more than the next ones; make it now, not at the first punch.
	if err := st.SetState(ctx, "booted", []byte(time.Now().UTC().Format(time.RFC3339))); err != nil {
		app.Logf("storage: %v", err)
	}
	return env, nil
}

// errNotBrowser is what the native build's stubs return.
var errNotBrowser = fmt.Errorf("wasm: IndexedDB needs the browser (GOOS=js)")
