//go:build js && wasm

package main

import (
	"context"

	"punchclock/kiosk/outbox"
	"punchclock/kiosk/outbox/idbstore"
)

// openStore opens the kiosk's IndexedDB outbox store.
func openStore(ctx context.Context) (outbox.Store, error) {
	return idbstore.Open(ctx, dbName)
}

// requestPersist asks for persistent storage (navigator.storage.persist).
func requestPersist(ctx context.Context) (bool, error) {
	return idbstore.RequestPersist(ctx)
}
