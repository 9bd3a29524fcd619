// Package fetch is an HTTP client for the kiosk in the browser that calls
// the Fetch API directly.
//
// net/http's own client works in js/wasm, but linking its Transport brings
// TLS, certificate parsing and the HTTP/1 and HTTP/2 machinery into
// app.wasm: about 1 MB after brotli, a third of the download, for code the
// browser does itself. Client implements the Do method the syncer and the
// enrollment need, with net/http's Request and Response types.
package fetch
