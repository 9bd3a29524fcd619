//go:build js && wasm

package idbstore

import (
	"context"
	"errors"
	"fmt"
	"syscall/js"
)

// ErrNoStorageManager reports a browser without navigator.storage (an old
// browser, or a page not served from a secure context).
var ErrNoStorageManager = errors.New("idbstore: navigator.storage unavailable")

// RequestPersist asks the browser to keep this origin's storage under
// pressure instead of evicting it (navigator.storage.persist()). It returns
// whether storage is now persistent. Chromium grants it by site engagement
// (an installed PWA gets it); false is not an error, but the kiosk should
// show it, because an evicted outbox loses punches.
func RequestPersist(ctx context.Context) (bool, error) {
	v, err := storageCall(ctx, "persist")
	if err != nil {
		return false, fmt.Errorf("idbstore: persist: %w", err)
	}
	return v.Truthy(), nil
}

// Persisted reports whether the origin's storage is persistent
// (navigator.storage.persisted()).
func Persisted(ctx context.Context) (bool, error) {
	v, err := storageCall(ctx, "persisted")
	if err != nil {
		return false, fmt.Errorf("idbstore: persisted: %w", err)
	}
	return v.Truthy(), nil
}

// Estimate returns the bytes the origin uses and may use
// (navigator.storage.estimate()), for the status screen.
func Estimate(ctx context.Context) (usage, quota int64, err error) {
	v, err := storageCall(ctx, "estimate")
	if err != nil {
		return 0, 0, fmt.Errorf("idbstore: estimate: %w", err)
	}
	return int64(v.Get("usage").Float()), int64(v.Get("quota").Float()), nil
}

// storageCall calls navigator.storage[method]() and awaits its promise.
func storageCall(ctx context.Context, method string) (js.Value, error) {
	storage := js.Global().Get("navigator").Get("storage")
	if storage.IsUndefined() || storage.Get(method).IsUndefined() {
		return js.Value{}, ErrNoStorageManager
	}
	return await(ctx, storage.Call(method))
}

// await waits for a JavaScript promise.
func await(ctx context.Context, promise js.Value) (js.Value, error) {
	type result struct {
		v   js.Value
		err error
	}
	ch := make(chan result, 1)
	then := js.FuncOf(func(_ js.Value, args []js.Value) any {
		ch <- result{v: args[0]}
		return nil
	})
	catch := js.FuncOf(func(_ js.Value, args []js.Value) any {
		ch <- result{err: js.Error{Value: args[0]}}
		return nil
	})
	promise.Call("then", then, catch)
	select {
	case r := <-ch:
		then.Release()
		catch.Release()
		return r.v, r.err
	case <-ctx.Done():
		// The promise may still settle and call a callback: keep them
		// (a few bytes) rather than have it call a released function.
		return js.Value{}, ctx.Err()
	}
}
