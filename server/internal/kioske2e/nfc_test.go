package kioske2e

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"punchclock/app/attendance"
	"punchclock/server/internal/e2etest"
	"punchclock/server/internal/punchd"
	"punchclock/server/internal/store"
)

// nfcMock stands in for Web NFC, which needs Android hardware: an
// NDEFReader whose scan() is refused without a user's gesture until the
// permission is granted (as Chrome's is), a permission kept across
// reloads in localStorage, a screen wake lock that counts its requests,
// and window.__nfc.tap(serial, texts) that presents a tag with those NDEF
// text records to every reader.
const nfcMock = `(() => {
	const key = "__nfc_perm";
	const nfc = {readers: [], scans: 0, refused: 0, wakes: 0};
	window.__nfc = nfc;
	const perm = () => localStorage.getItem(key) || "prompt";
	const query = navigator.permissions.query.bind(navigator.permissions);
	navigator.permissions.query = d => d && d.name === "nfc" ? Promise.resolve({state: perm()}) : query(d);
	window.NDEFReader = class {
		constructor() { this.onreading = null; nfc.readers.push(this); }
		async scan() {
			nfc.scans++;
			if (perm() !== "granted") {
				if (!navigator.userActivation.isActive) { nfc.refused++; throw new DOMException("needs a gesture", "NotAllowedError"); }
				localStorage.setItem(key, "granted"); // the user said yes to the prompt
			}
		}
	};
	Object.defineProperty(navigator, "wakeLock", {value: {request: async type => {
		nfc.wakes++;
		return {type, released: false, release: async () => {}, addEventListener() {}};
	}}});
	nfc.tap = (serial, texts) => {
		const enc = new TextEncoder();
		const records = texts.map(t => ({recordType: "text", encoding: "utf-8", lang: "en", data: new DataView(enc.encode(t).buffer)}));
		let n = 0;
		for (const r of nfc.readers) if (r.onreading) { r.onreading({serialNumber: serial, message: {records}}); n++; }
		return n;
	};
})();`

// TestKioskNFC is issue 15's NFC path in the browser, with a mocked
// NDEFReader: the kiosk asks for nothing without a gesture and shows the
// manager's button; one tap grants NFC and it reads; a tag punchclock
// signed for E004 and bound to its serial punches for E004 (and reaches
// the server with its token), the same token on another tag is refused
// on the screen and stored nowhere; after a reload the kiosk reads again
// by itself, and it holds a screen wake lock.
func TestKioskNFC(t *testing.T) {
	clock := e2etest.NewClock(e2etest.Matrix[1].At())
	s := e2etest.StartServer(t, punchd.Config{WebDir: webDir, Version: version, Now: clock.Now})
	ctx := e2etest.NewBrowser(t, 4*time.Minute, "")
	run(t, ctx, "install the NFC mock", chromedp.ActionFunc(func(ctx context.Context) error {
		_, err := page.AddScriptToEvaluateOnNewDocument(nfcMock).Do(ctx)
		return err
	}))
	clock.Install(t, ctx, 0, "")
	openKiosk(t, ctx, s.URL())
	device := e2etest.EnrollKiosk(t, ctx, s, "sh-jingan")
	waitStatus(t, ctx, "online", "yes", 30*time.Second)

	// Not granted yet: the button, and no scan started behind it.
	waitStatus(t, ctx, "nfc", "waiting", 30*time.Second)
	var scans int
	eval(t, ctx, `window.__nfc.scans`, &scans)
	if scans != 0 {
		t.Fatalf("the kiosk called scan() %d times before anyone tapped", scans)
	}
	// A real pointer tap (a script's click() is no user gesture).
	wait(t, ctx, "the NFC button", `!!document.getElementById("nfc-enable")`, 30*time.Second)
	run(t, ctx, "tap the NFC button", chromedp.Click("#nfc-enable", chromedp.ByQuery))
	waitStatus(t, ctx, "nfc", "on", 30*time.Second)
	if st := status(t, ctx, "nfc"); st != "on" {
		t.Fatalf("NFC state %q after the tap", st)
	}

	const serial = "04:a2:1b:7c:11:22:33"
	tok, err := s.Main().API.TagKeys.Sign(context.Background(), "E004", serial)
	if err != nil {
		t.Fatal(err)
	}
	tap := func(serial, text string) {
		t.Helper()
		var n int
		eval(t, ctx, fmt.Sprintf(`window.__nfc.tap(%q, [%q])`, serial, text), &n)
		if n == 0 {
			t.Fatal("no NDEFReader listens")
		}
	}
	tap(serial, tok)
	c := e2etest.WaitConfirm(t, ctx, "E004", 30*time.Second)
	if c.What == "" {
		t.Errorf("the confirmation says nothing of the punch: %+v", c)
	}
	// The same token copied onto another tag.
	tap("04:a2:1b:7c:11:22:34", tok)
	wait(t, ctx, "the copied tag refused", `window.__pcConfirms.some(e => e.outcome === "badtag")`, 30*time.Second)

	// Synced: nothing waits, and the server holds the one punch.
	waitStatus(t, ctx, "pending", "0", 30*time.Second)
	got := s.Punches(device)
	if len(got) != 1 || got[0].Method != attendance.MethodNFC || got[0].EmployeeID != "E004" || got[0].Evidence.NFCTag != tok ||
		got[0].Evidence.NFCSerial != "04A21B7C112233" || got[0].Status != store.PunchAccepted {
		t.Fatalf("the server holds %+v, want E004's one nfc punch with its token", got)
	}

	// Granted once: a reload reads again with nobody tapping.
	run(t, ctx, "reload the kiosk", chromedp.Reload())
	waitStatus(t, ctx, "nfc", "on", 60*time.Second)
	var mock struct{ Scans, Refused, Wakes int }
	eval(t, ctx, `({scans: window.__nfc.scans, refused: window.__nfc.refused, wakes: window.__nfc.wakes})`, &mock)
	if mock.Scans != 1 || mock.Refused != 0 || mock.Wakes < 1 {
		t.Errorf("after the reload: %+v, want one scan started by itself and a wake lock", mock)
	}
	var button bool
	eval(t, ctx, `!!document.getElementById("nfc-enable")`, &button)
	if button {
		t.Error("the NFC button shows though NFC is granted")
	}
}
