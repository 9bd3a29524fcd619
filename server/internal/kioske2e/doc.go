// Package kioske2e holds the kiosk's browser end-to-end acceptance tests:
// a real punchd (punchd.Open on a temporary SQLite with the demo
// organisation), the real app.wasm built by the test, and headless Chromium
// with a fake camera fed from a Y4M video of a badge.
//
// The tests cover the camera pipeline (a looping video of one badge makes
// exactly one punch), the offline path (punches queued while the server is
// down survive a reload served by the service worker and arrive exactly
// once), a server killed in the middle of a batch, enrollment errors, the
// manager on the kiosk (TestOfflineEndToEnd: an out-of-fence phone punch
// approved offline with badge and PIN, the day settled, the decision in
// the audit log, and `punchd audit verify`, built by TestMain, run on the
// server's database before and after an entry is tampered with), and they
// write screenshots of the kiosk to var/artefacts.
//
// Run them with
//
//	go test -count=1 ./server/internal/kioske2e/
//
// They need Debian's chromium (make test-deps installs it).
package kioske2e
