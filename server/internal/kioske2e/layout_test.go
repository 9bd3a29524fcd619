package kioske2e

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"punchclock/server/internal/e2etest"
)

// tabletSizes are the screens the kiosk must fit, landscape and portrait:
// 10" tablets (800x1280, 1280x800), the 4:3 iPad-class (1024x768) and
// full-HD wall screens either way up.
var tabletSizes = []struct{ w, h int64 }{
	{800, 1280}, {1280, 800}, {1024, 768}, {1920, 1080}, {1080, 1920},
}

// box is an element's rectangle in CSS px, as the page measured it.
type box struct {
	L, T, R, B float64
}

func (b box) String() string { return fmt.Sprintf("[%.0f,%.0f %.0fx%.0f]", b.L, b.T, b.R-b.L, b.B-b.T) }

// overlaps is whether two boxes share more than a pixel's sliver.
func (b box) overlaps(o box) bool {
	return min(b.R, o.R)-max(b.L, o.L) > 1 && min(b.B, o.B)-max(b.T, o.T) > 1
}

// layout is what layoutJS measures on the kiosk screen.
type layout struct {
	W, H         float64        // the viewport
	ScrollW      float64        // the document's scroll size
	ScrollH      float64        //
	Boxes        map[string]box // the key elements: each element's box joined with its text's
	WhoFont      float64        // the confirmation name's computed font-size
	QR           float64        // the QR image's smaller side
	Buttons      []string       // each visible button: "label:lines"
	Breaks       []string       // text broken inside a word or a Chinese phrase
	StatusHidden bool           // the technical status panel is not displayed
	Sound        string         // the last sound played (data-sound)
	Lang         string         // the screen's lang attribute
}

// layoutJS measures the screen once the confirmation of %q is shown, in
// the same task as the check, so the 4-second confirmation cannot end
// between the two; it returns false until then (a chromedp.Poll).
//
// A line break is found from the characters' own rectangles: where a
// character starts lower than the one before it. A break is fine after
// a space or a hyphen, or after Chinese punctuation (the places a Chinese
// phrase ends); anything else is a word or a phrase cut in two.
const layoutJS = `(() => {
	const c = document.getElementById("confirm");
	if (!c || c.dataset.outcome !== "recorded" || c.dataset.employee !== %q) return false;
	const rect = el => { const r = el.getBoundingClientRect(); return {L: r.left, T: r.top, R: r.right, B: r.bottom}; };
	const join = (a, b) => ({L: Math.min(a.L, b.L), T: Math.min(a.T, b.T), R: Math.max(a.R, b.R), B: Math.max(a.B, b.B)});
	const withText = el => {
		const rg = document.createRange(); rg.selectNodeContents(el);
		const t = rg.getBoundingClientRect();
		return t.width > 0 ? join(rect(el), {L: t.left, T: t.top, R: t.right, B: t.bottom}) : rect(el);
	};
	const q = s => document.querySelector(s);
	const boxes = {
		header: withText(q("main.kiosk header.top")),
		clock: withText(q("#clock")),
		date: withText(q("#date")),
		confirm: withText(c),
		camera: rect(q(".camera")),
		video: rect(q("#camera")),
		qr: withText(q("figure.qr")),
	};
	const lines = el => {
		const tops = [];
		for (const n of el.childNodes) {
			if (n.nodeType !== 3 || !n.textContent.trim()) continue;
			const rg = document.createRange(); rg.selectNodeContents(n);
			for (const r of rg.getClientRects()) if (r.width > 0 && !tops.some(t => Math.abs(t - r.top) < 2)) tops.push(r.top);
		}
		return tops.length;
	};
	const visible = el => { const s = getComputedStyle(el); return el.offsetParent !== null && s.visibility !== "hidden"; };
	const buttons = [...document.querySelectorAll("main.kiosk button")].filter(visible).map(b => b.textContent.trim() + ":" + lines(b));
	const okAfter = /[\s\-\/，。、；：！？）」』·,.;:!?)]/;
	const breaks = [];
	for (const el of document.querySelectorAll("main.kiosk *")) {
		if (!visible(el) || el.closest("#status")) continue;
		for (const n of el.childNodes) {
			if (n.nodeType !== 3) continue;
			const s = n.textContent;
			let prevTop = null, prevI = -1;
			for (let i = 0; i < s.length; i++) {
				if (/\s/.test(s[i])) continue;
				const rg = document.createRange(); rg.setStart(n, i); rg.setEnd(n, i + 1);
				const r = rg.getBoundingClientRect();
				if (r.height === 0) continue;
				if (prevTop !== null && r.top > prevTop + r.height / 2) {
					const between = s.slice(prevI, i);
					if (!okAfter.test(between)) breaks.push((el.id || el.className) + ": " + s.slice(0, prevI + 1) + " | " + s.slice(i));
				}
				prevTop = r.top; prevI = i;
			}
		}
	}
	const who = document.getElementById("confirm-who");
	const qr = q("#qr").getBoundingClientRect();
	return {W: innerWidth, H: innerHeight, ScrollW: document.documentElement.scrollWidth, ScrollH: document.documentElement.scrollHeight,
		Boxes: boxes, WhoFont: parseFloat(getComputedStyle(who).fontSize), QR: Math.min(qr.width, qr.height),
		Buttons: buttons, Breaks: breaks, StatusHidden: getComputedStyle(document.getElementById("status")).display === "none",
		Sound: document.documentElement.dataset.sound || "", Lang: q("main.kiosk").lang};
})()`

// TestLayout renders the enrolled kiosk at each tablet size, in English
// and in Chinese, with a confirmation on screen (a badge scanned through
// the test hook at each size), and checks what an employee at the door
// needs: the clock, the camera with its guide, the confirmation and the
// phone QR all inside the viewport without scrolling and not overlapping;
// the name at least 48 CSS px, the QR at least 240; every button's label
// on one line and no word or Chinese phrase broken across lines; the
// technical status out of sight until the glyph opens it; the "recorded"
// and "not recorded" sounds. One browser, resized by emulation; the
// screenshots are kept in var/artefacts/layout-WxH-LANG.png.
func TestLayout(t *testing.T) {
	_, ctx, _ := onlineKiosk(t, 4*time.Minute)
	wait(t, ctx, "the phone QR", `!!document.getElementById("qr")`, 30*time.Second)
	checkStatusGlyph(t, ctx)

	employee := 4 // E004 to E013 work at the Shanghai store, one badge per screen
	for _, lang := range []string{"en", "zh"} {
		if lang == "zh" {
			e2etest.Tap(t, ctx, "switch to Chinese", "#lang")
			wait(t, ctx, "the Chinese screen", `document.querySelector("main.kiosk").lang === "zh"`, 10*time.Second)
		}
		for _, sz := range tabletSizes {
			name := fmt.Sprintf("%dx%d-%s", sz.w, sz.h, lang)
			run(t, ctx, "resize to "+name, chromedp.EmulateViewport(sz.w, sz.h))
			emp := fmt.Sprintf("E%03d", employee)
			scanBadge(t, ctx, fmt.Sprintf("PC-%04d", employee))
			employee++
			var l layout
			run(t, ctx, "measure "+name, chromedp.Poll(fmt.Sprintf(layoutJS, emp), &l,
				chromedp.WithPollingInterval(20*time.Millisecond), chromedp.WithPollingTimeout(30*time.Second)))
			screenshot(t, ctx, filepath.Join(root, "var", "artefacts", "layout-"+name+".png"))
			checkLayout(t, name, lang, float64(sz.w), float64(sz.h), l)
		}
	}

	// An unknown badge is not credited to anyone: the other sound.
	var before int
	eval(t, ctx, `Number(document.documentElement.dataset.sounds || 0)`, &before)
	scanBadge(t, ctx, "PC-0999")
	wait(t, ctx, "the not-recorded sound", fmt.Sprintf(`Number(document.documentElement.dataset.sounds || 0) > %d`, before), 30*time.Second)
	var sound string
	eval(t, ctx, `document.documentElement.dataset.sound`, &sound)
	if sound != "not-recorded" {
		t.Errorf("an unknown badge played %q, want not-recorded", sound)
	}
}

// checkLayout checks one screen's measurements.
func checkLayout(t *testing.T, name, lang string, w, h float64, l layout) {
	t.Helper()
	t.Logf("%s: name %vpx, QR %vpx, document %vx%v, clock %v, confirm %v, camera %v, qr %v, buttons %v",
		name, l.WhoFont, l.QR, l.ScrollW, l.ScrollH, l.Boxes["clock"], l.Boxes["confirm"], l.Boxes["camera"], l.Boxes["qr"], l.Buttons)
	if l.W != w || l.H != h {
		t.Errorf("%s: viewport %vx%v", name, l.W, l.H)
	}
	if l.ScrollH > l.H || l.ScrollW > l.W {
		t.Errorf("%s: the page scrolls: %vx%v in a %vx%v viewport", name, l.ScrollW, l.ScrollH, l.W, l.H)
	}
	keys := []string{"header", "clock", "date", "confirm", "camera", "qr"}
	for _, k := range append(keys, "video") {
		b, ok := l.Boxes[k]
		if !ok || b.R-b.L < 1 || b.B-b.T < 1 {
			t.Errorf("%s: %s not shown (%v)", name, k, b)
			continue
		}
		if b.L < 0 || b.T < 0 || b.R > l.W || b.B > l.H {
			t.Errorf("%s: %s %v outside the %vx%v viewport", name, k, b, l.W, l.H)
		}
	}
	for i, a := range keys {
		for _, b := range keys[i+1:] {
			if l.Boxes[a].overlaps(l.Boxes[b]) {
				t.Errorf("%s: %s %v overlaps %s %v", name, a, l.Boxes[a], b, l.Boxes[b])
			}
		}
	}
	if l.WhoFont < 48 {
		t.Errorf("%s: the confirmation's name is %vpx, want at least 48", name, l.WhoFont)
	}
	if l.QR < 240 {
		t.Errorf("%s: the phone QR is %vpx, want at least 240", name, l.QR)
	}
	if len(l.Buttons) < 3 {
		t.Errorf("%s: buttons %v, want the status glyph, the manager's and the language toggle", name, l.Buttons)
	}
	for _, b := range l.Buttons {
		if !strings.HasSuffix(b, ":1") {
			t.Errorf("%s: button %q is not on one line", name, b)
		}
	}
	for _, b := range l.Breaks {
		t.Errorf("%s: text broken inside a word or phrase: %s", name, b)
	}
	if !l.StatusHidden {
		t.Errorf("%s: the technical status is on the employee screen", name)
	}
	if l.Sound != "recorded" {
		t.Errorf("%s: a recorded punch played %q, want recorded", name, l.Sound)
	}
	if l.Lang != lang {
		t.Errorf("%s: the screen's lang is %q", name, l.Lang)
	}
}

// checkStatusGlyph checks that the technical status is out of sight, and
// that the header's glyph opens it and closes it again.
func checkStatusGlyph(t *testing.T, ctx context.Context) {
	t.Helper()
	shown := `getComputedStyle(document.getElementById("status")).display !== "none"`
	var open bool
	eval(t, ctx, shown, &open)
	if open {
		t.Fatalf("the status panel is open on the employee screen")
	}
	e2etest.Tap(t, ctx, "open the status panel", "#status-glyph")
	wait(t, ctx, "the status panel", shown, 10*time.Second)
	var text string
	run(t, ctx, "read the version", chromedp.Text("#st-version", &text, chromedp.ByQuery))
	if !strings.Contains(text, version) {
		t.Errorf("the status panel shows version %q, want %s", text, version)
	}
	e2etest.Tap(t, ctx, "close the status panel", "#status-glyph")
	wait(t, ctx, "the status panel closed", "!("+shown+")", 10*time.Second)
}
