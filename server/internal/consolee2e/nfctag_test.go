package consolee2e

import (
	"context"
	"testing"
	"time"

	"punchclock/server/internal/auth"
	"punchclock/server/internal/e2etest"
)

// nfcWriterMock stands in for Web NFC on the phone HR writes tags with:
// window.__nfc.tap(serial) presents a blank tag to the scanning readers,
// and write() keeps what it was asked to write in window.__nfc.written.
const nfcWriterMock = `(() => {
	const nfc = {readers: [], written: []};
	window.__nfc = nfc;
	window.NDEFReader = class {
		constructor() { this.onreading = null; nfc.readers.push(this); }
		async scan(opts) { this.signal = opts && opts.signal; }
		async write(message) { nfc.written.push(JSON.parse(JSON.stringify(message))); }
	};
	nfc.tap = serial => {
		let n = 0;
		for (const r of nfc.readers) if (r.onreading && !(r.signal && r.signal.aborted)) { r.onreading({serialNumber: serial, message: {records: []}}); n++; }
		return n;
	};
})();`

// TestConsoleNFCTag: HR of the retail unit writes E005's NFC tag from the
// employee editor on a phone with Web NFC (mocked): the tag held to it is
// read for its serial, punchd signs a token bound to it, and the console
// writes the token as an NDEF text record; the token verifies for E005 on
// that tag only. Without a tag at hand, a serial typed in gets the token
// to copy into a writer app, and a serial that is not hex is refused.
func TestConsoleNFCTag(t *testing.T) {
	s, ctx := consoleWith(t, 3*time.Minute, map[string]auth.UserRequest{
		"u-hr": {Login: "hr-retail@example.com", Name: "Hu Rong", Role: auth.RoleHR, Unit: "retail", Password: adminPassword},
	}, nfcWriterMock)
	signIn(t, ctx, "hr-retail@example.com", adminPassword)
	e2etest.Wait(t, ctx, "signed in", `document.getElementById("me")?.dataset.role === "hr"`, 30*time.Second)
	e2etest.Tap(t, ctx, "open People", "#nav-people")
	e2etest.SetInput(t, ctx, "emp-q", "e005")
	e2etest.Tap(t, ctx, "search", "#emp-search-go")
	e2etest.Wait(t, ctx, "E005 found", `document.getElementById("emp-list")?.dataset.total === "1" && !!document.getElementById("emp-E005")`, 30*time.Second)
	e2etest.Tap(t, ctx, "edit E005", "#emp-edit-E005")
	e2etest.Wait(t, ctx, "the NFC tag part", `!!document.getElementById("nfc-write")`, 30*time.Second)

	e2etest.Tap(t, ctx, "write a tag", "#nfc-write")
	e2etest.Wait(t, ctx, "waiting for a tag", `document.getElementById("nfc-write")?.disabled === true && window.__nfc.readers.some(r => r.onreading)`, 30*time.Second)
	const serial = "04:11:22:33:44:55:66"
	var n int
	e2etest.Eval(t, ctx, `window.__nfc.tap("`+serial+`")`, &n)
	if n != 1 {
		t.Fatalf("%d readers scanning", n)
	}
	e2etest.Wait(t, ctx, "the tag written", `document.getElementById("nfc-token")?.dataset.state === "written" && window.__nfc.written.length === 1`, 30*time.Second)
	var rec struct {
		RecordType string `json:"recordType"`
		Lang       string `json:"lang"`
		Data       string `json:"data"`
	}
	e2etest.Eval(t, ctx, `window.__nfc.written[0].records[0]`, &rec)
	if rec.RecordType != "text" || rec.Lang != "en" {
		t.Errorf("written record %+v, want a text record in en", rec)
	}
	bg := context.Background()
	c, err := s.Main().API.TagKeys.Verify(bg, rec.Data, serial)
	if err != nil || c.EmployeeID != "E005" || c.Serial != "04112233445566" {
		t.Fatalf("the written token: %+v %v", c, err)
	}
	if _, err := s.Main().API.TagKeys.Verify(bg, rec.Data, "04:11:22:33:44:55:67"); err == nil {
		t.Error("the written token verifies on another tag")
	}
	keepShot(t, ctx, "console-nfc-tag.png")

	// A reader reporting a serial that is not one: punchd refuses it,
	// and the button is there again.
	e2etest.Tap(t, ctx, "write another tag", "#nfc-write")
	e2etest.Wait(t, ctx, "waiting for a tag", `document.getElementById("nfc-write")?.disabled === true`, 30*time.Second)
	e2etest.Eval(t, ctx, `window.__nfc.tap("zz:not:hex")`, &n)
	e2etest.Wait(t, ctx, "the serial refused, the button back", `document.getElementById("nfc-error")?.dataset.code === "invalid" && document.getElementById("nfc-write")?.disabled === false`, 30*time.Second)
	var writes int
	e2etest.Eval(t, ctx, `window.__nfc.written.length`, &writes)
	if writes != 1 {
		t.Errorf("%d tags written, want the first only", writes)
	}

	// No tag at hand: a serial typed in.
	e2etest.SetInput(t, ctx, "nfc-serial", "not a serial")
	e2etest.Tap(t, ctx, "show the token", "#nfc-show")
	e2etest.Wait(t, ctx, "the serial refused", `document.getElementById("nfc-error")?.dataset.code === "invalid"`, 30*time.Second)
	e2etest.SetInput(t, ctx, "nfc-serial", "04-AA-BB-CC")
	e2etest.Tap(t, ctx, "show the token", "#nfc-show")
	e2etest.Wait(t, ctx, "the token shown", `document.getElementById("nfc-token")?.dataset.state === "issued" && document.getElementById("nfc-token")?.dataset.serial === "04AABBCC" && !document.getElementById("nfc-error")`, 30*time.Second)
	var shown string
	e2etest.Eval(t, ctx, `document.getElementById("nfc-token-text").textContent`, &shown)
	if c, err := s.Main().API.TagKeys.Verify(bg, shown, "04AABBCC"); err != nil || c.EmployeeID != "E005" {
		t.Errorf("the shown token: %+v %v", c, err)
	}
}
