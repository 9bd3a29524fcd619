//go:build !(js && wasm)

package main

import "net/http"

// httpClient lets the package build and vet natively; the console itself
// runs only in the browser (client_js.go).
var httpClient = http.DefaultClient
