//go:build js && wasm

package main

import "punchclock/kiosk/fetch"

// httpClient is the browser's fetch, as the kiosk's (wasm/client_js.go).
var httpClient = fetch.Client{}
