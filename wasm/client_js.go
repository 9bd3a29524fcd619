//go:build js && wasm

package main

import "punchclock/kiosk/fetch"

// httpClient calls the browser's fetch directly: net/http's client would
// link its Transport and TLS into app.wasm (about 1 MB after brotli).
var httpClient fetch.Client
