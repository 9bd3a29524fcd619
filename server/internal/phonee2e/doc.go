// Package phonee2e holds the browser end-to-end acceptance test of the
// employee's phone page (/p): a real punchd (punchd.Open on a temporary
// SQLite with the demo organisation), the real app.wasm built by the test,
// and headless Chromium with two browser contexts, one for the kiosk at the
// entrance and one for the employee's phone.
//
// The test enrolls the kiosk, activates the phone with an admin's one-time
// link, opens the kiosk's current QR URL (read from the kiosk page, and
// checked against the QR image it draws) on the phone, confirms, and sees
// the punch accepted and stored once; then a reused and an expired token
// are refused with their messages; last, with punchd stopped, the phone
// page opens from the service worker with a new token in its query, keeps
// the punch, and sends it once punchd is back.
//
// TestPhoneMonth activates E006's phone and opens its month view: the day
// the demo has E006 forget to punch out shows missing_out; offline the
// month opens from the phone's store, and a make-up request made in two
// taps (the day, "Request make-up"; its time edited in between) is
// queued, then sent by the syncer's loop once punchd is back, the page
// untouched, at the time typed; the manager approves through the API (a
// signed-in session with its CSRF token) and the reloaded phone shows the
// day normal and the request approved. E006 then declares a punch offline
// in the browser; on the phone a file that is no image is refused with
// its reason, a generated PNG is stored byte for byte as the proof, and
// the request withdrawn from the phone is withdrawn on punchd
// (screenshots var/artefacts/phone-requests.png, phone-proof-refused.png,
// phone-month.png).
//
// Run it with
//
//	go test -count=1 ./server/internal/phonee2e/
//
// It needs Debian's chromium (make test-deps installs it).
package phonee2e
