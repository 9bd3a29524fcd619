package kioske2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/css"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"punchclock/kiosk/pages"
	"punchclock/server/internal/e2etest"
	"punchclock/server/internal/punchd"
)

// glyphProbe is Chinese the kiosk shows, five different characters.
const glyphProbe = "请出示工牌"

// fontProbe is what a page draws with the CJK web font: whether the font
// loaded (document.fonts), the probe's width on a canvas, and how many
// different shapes its five characters drew (1: five identical empty
// boxes, the "tofu" of a browser without a glyph for them).
type fontProbe struct {
	Face   string  `json:"face"`
	Load   string  `json:"load"`
	Width  float64 `json:"width"`
	Shapes int     `json:"shapes"`
}

// probeFont draws glyphProbe in the web font (then sans-serif, the
// browser's fallback) and reports what it saw. It inserts #zh-probe, a
// line of the same text in the kiosk's own stylesheet, for
// platformFonts.
func probeFont(t *testing.T, ctx context.Context) fontProbe {
	t.Helper()
	var p fontProbe
	e2etest.Run(t, ctx, "draw Chinese", chromedp.Evaluate(fmt.Sprintf(`(async () => {
		const text = %q, font = '48px "%s", sans-serif';
		let load = "loaded";
		try {
			const faces = await document.fonts.load(font, text);
			if (!faces.length) load = "no face";
		} catch (e) { load = "error: " + e.name; }
		const face = [...document.fonts].find(f => f.family.replace(/"/g, "") === %q);
		const c = document.createElement("canvas");
		c.width = c.height = 64;
		const g = c.getContext("2d", {willReadFrequently: true});
		g.font = font;
		const shapes = new Set([...text].map(ch => {
			g.clearRect(0, 0, 64, 64);
			g.fillText(ch, 4, 52);
			const d = g.getImageData(0, 0, 64, 64).data;
			let h = 0;
			for (let i = 3; i < d.length; i += 4) h = (h * 31 + d[i]) >>> 0;
			return h;
		}));
		if (!document.getElementById("zh-probe")) {
			const p = document.createElement("p");
			p.id = "zh-probe";
			p.textContent = text;
			document.body.appendChild(p);
		}
		return {face: face ? face.status : "absent", load, width: g.measureText(text).width, shapes: shapes.size};
	})()`, glyphProbe, pages.CJKFamily, pages.CJKFamily), &p, func(p *runtime.EvaluateParams) *runtime.EvaluateParams {
		return p.WithAwaitPromise(true)
	}))
	return p
}

// platformFonts are the fonts Chromium drew #zh-probe with, in the
// kiosk's stylesheet: "name (web font)" for a downloaded one.
func platformFonts(t *testing.T, ctx context.Context) []string {
	t.Helper()
	var nodes []*cdp.Node
	var fonts []*css.PlatformFontUsage
	e2etest.Run(t, ctx, "the fonts of #zh-probe",
		chromedp.Nodes("#zh-probe", &nodes, chromedp.ByQuery),
		css.Enable(),
		chromedp.ActionFunc(func(ctx context.Context) error {
			var err error
			fonts, err = css.GetPlatformFontsForNode(nodes[0].NodeID).Do(ctx)
			return err
		}))
	var out []string
	for _, f := range fonts {
		name := f.FamilyName
		if f.IsCustomFont {
			name += " (web font)"
		}
		out = append(out, name)
	}
	return out
}

// TestFontChineseWithoutSystemFonts is the acceptance test "Chinese on any
// kiosk": in a Chromium whose fontconfig knows DejaVu only (a Debian
// kiosk box without CJK fonts, whatever this machine has installed), the
// kiosk page draws Chinese with punchd's web font: the font loads, five
// characters draw five shapes, and the kiosk's stylesheet uses it. In the
// same browser with the font's URL blocked the same text is five empty
// boxes of another width: the check sees the difference the font makes.
// The font is served for a year under its versioned URL, is in the service
// worker's cache, and draws again from it with punchd down.
func TestFontChineseWithoutSystemFonts(t *testing.T) {
	if _, err := os.Stat(filepath.Join(webDir, pages.CJKFontFile)); err != nil {
		t.Fatalf("web/%s is missing: run make font (make test does) first: %v", pages.CJKFontFile, err)
	}
	clock := e2etest.NewClock(e2etest.Matrix[1].At())
	s := e2etest.StartServer(t, punchd.Config{WebDir: webDir, Version: version, Now: clock.Now})

	fontURL := cachedFont(t, s.URL())
	resp, err := http.Get(s.URL() + fontURL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "font/woff2" || !strings.Contains(resp.Header.Get("Cache-Control"), "max-age=31536000") {
		t.Fatalf("GET %s: %s, Content-Type %q, Cache-Control %q", fontURL, resp.Status, resp.Header.Get("Content-Type"), resp.Header.Get("Cache-Control"))
	}
	if n := len(body); n < 100<<10 || n > 1500<<10 || string(body[:4]) != "wOF2" {
		t.Errorf("the font is %d bytes (%q...): want a woff2 of 100 KB to 1.5 MB", n, body[:4])
	}
	t.Logf("CJK web font: %s, %d bytes", fontURL, len(body))

	// A fontconfig with DejaVu only: this Chromium has no CJK system font.
	dir := t.TempDir()
	conf := filepath.Join(dir, "fonts.conf")
	if err := os.WriteFile(conf, []byte(`<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <dir>/usr/share/fonts/truetype/dejavu</dir>
  <cachedir>`+filepath.Join(dir, "cache")+`</cachedir>
</fontconfig>
`), 0o644); err != nil {
		t.Fatal(err)
	}
	browser := e2etest.NewBrowser(t, 3*time.Minute, "", chromedp.Env("FONTCONFIG_FILE="+conf))

	// The page as punchd prerenders it is enough here: without app.wasm
	// (16 MB) this tab loads fast.
	blocked := e2etest.NewTab(t, browser)
	e2etest.Run(t, blocked, "block the font and open the kiosk",
		network.Enable(), network.SetBlockedURLs([]string{"*/web/" + pages.CJKFontFile + "*", "*/web/app.wasm"}),
		chromedp.Navigate(s.URL()+"/"))
	without := probeFont(t, blocked)
	withoutFonts := platformFonts(t, blocked)
	if without.Face != "error" || without.Shapes != 1 {
		t.Fatalf("font blocked: %+v (fonts %v): want the face in error and one shape (empty boxes): does this Chromium still find a CJK system font?", without, withoutFonts)
	}

	tab := e2etest.NewTab(t, browser)
	e2etest.Run(t, tab, "open the kiosk", chromedp.Navigate(s.URL()+"/"))
	with := probeFont(t, tab)
	if with.Face != "loaded" || with.Load != "loaded" || with.Shapes != len([]rune(glyphProbe)) || with.Width == without.Width {
		t.Errorf("web font: %+v, blocked: %+v: want the face loaded, %d shapes and another width", with, without, len([]rune(glyphProbe)))
	}
	withFonts := platformFonts(t, tab)
	if !strings.Contains(strings.Join(withFonts, ","), "(web font)") || strings.Contains(strings.Join(withoutFonts, ","), "(web font)") {
		t.Errorf("the kiosk's stylesheet draws Chinese with %v (with the web font) and %v (blocked): want the web font in the first only", withFonts, withoutFonts)
	}
	t.Logf("with the web font: %+v %v; blocked: %+v %v", with, withFonts, without, withoutFonts)

	// Offline: the service worker's cache holds the font, and a reload
	// with punchd down draws Chinese from it.
	e2etest.WaitCached(t, tab, fontURL)
	s.Stop()
	e2etest.Run(t, tab, "reload offline", chromedp.Reload())
	if off := probeFont(t, tab); off.Face != "loaded" || off.Shapes != len([]rune(glyphProbe)) || off.Width != with.Width {
		t.Errorf("offline reload: %+v, want as online: %+v", off, with)
	}
}

// cachedFont returns the font URL in the service worker's list of
// resources to cache, failing if it is not there.
func cachedFont(t *testing.T, base string) string {
	t.Helper()
	resp, err := http.Get(base + "/app-worker.js")
	if err != nil {
		t.Fatal(err)
	}
	js, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	_, list, ok := strings.Cut(string(js), "const resourcesToCache = ")
	list, _, ok2 := strings.Cut(list, ";")
	var resources []string
	if !ok || !ok2 || json.Unmarshal([]byte(list), &resources) != nil {
		t.Fatalf("app-worker.js has no resourcesToCache list:\n%s", js)
	}
	for _, r := range resources {
		if strings.HasPrefix(r, "/web/"+pages.CJKFontFile+"?v=") {
			return r
		}
	}
	t.Fatalf("the service worker does not cache the CJK font: %v", resources)
	return ""
}
