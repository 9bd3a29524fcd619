//go:build !(js && wasm)

package main

import (
	"context"

	"punchclock/kiosk/outbox"
)

// openStore fails outside the browser: the command is built for GOOS=js,
// and this file only lets `go vet ./...` and the dependency guard test
// build the package natively.
func openStore(context.Context) (outbox.Store, error) { return nil, errNotBrowser }

func requestPersist(context.Context) (bool, error) { return false, errNotBrowser }
