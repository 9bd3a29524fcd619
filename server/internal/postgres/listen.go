package postgres

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
)

// RevokedChannel is the channel on which a device revocation is announced,
// with the device id as payload, when its transaction commits.
const RevokedChannel = "punchclock_device_revoked"

// Revocations tells a punchd instance about devices revoked through any
// instance on the database.
type Revocations struct {
	// Revoked is called with the id of each device revoked.
	Revoked func(id string)
	// Reset is called each time the listening session is (re)established:
	// revocations announced while it was down are lost, so everything
	// cached must be read again.
	Reset func()
	// Connected, if set, is called once the session listens.
	Connected func()
	Log       *slog.Logger
}

// Listen holds a dedicated session on the database at dsn that listens on
// RevokedChannel, and calls r's functions, until ctx ends. A dropped
// session is opened again, at most every few seconds, and each new session
// calls Reset: no notice missed while it was down leaves a revoked device
// in a cache.
func Listen(ctx context.Context, dsn string, r Revocations) {
	if r.Log == nil {
		r.Log = slog.Default()
	}
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		err := listenOnce(ctx, dsn, r)
		if ctx.Err() != nil {
			return
		}
		r.Log.Warn("postgres: revocation listener dropped; reconnecting", "err", err, "in", backoff)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 5*time.Second)
	}
}

func listenOnce(ctx context.Context, dsn string, r Revocations) error {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return err
	}
	cfg.RuntimeParams["application_name"] = "punchd revocations"
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, `LISTEN `+RevokedChannel); err != nil {
		return err
	}
	// From here on no revocation is missed: forget what was cached before.
	if r.Reset != nil {
		r.Reset()
	}
	if r.Connected != nil {
		r.Connected()
	}
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			if errors.Is(err, context.Canceled) && ctx.Err() != nil {
				return nil
			}
			return err
		}
		if r.Revoked != nil {
			r.Revoked(n.Payload)
		}
	}
}
