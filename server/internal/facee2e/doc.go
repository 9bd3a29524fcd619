// Package facee2e holds the browser end-to-end tests of face punching: a
// real facematchd (the facematch handler with the dlib extractor, in
// process, on its own port: another origin than the kiosk page, so CORS is
// exercised as in a store) linked to a real punchd with the demo
// organisation as make run links them (a face-role token: facematchd
// learns the kiosks from punchd and takes only their signed requests),
// whose Shanghai site points its face_url at that facematchd, the real
// app.wasm, and headless Chromium whose fake camera plays a Y4M video made
// from a sample face photo.
//
// The tests are built only with the dlib tag (go-face needs cgo and
// Debian's dlib), so `go test ./...` compiles nothing here. Run them with
//
//	make face-deps
//	PUNCHCLOCK_FACE_MODELS=$PWD/.cache/face/models PUNCHCLOCK_FACE_PHOTOS=$PWD/.cache/face/photos \
//		go test -count=1 -tags dlib ./server/internal/facee2e/
//
// or through make face-test. Without the two variables they fail and say
// so, rather than skip: a skipped face test would hide a broken kiosk.
package facee2e
