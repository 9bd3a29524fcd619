package pages

import "fmt"

// The kiosk's Chinese web font. A Linux kiosk box (Chromium on Debian
// without CJK fonts) would show Chinese names and messages as empty boxes:
// `make font` subsets Debian's Noto Sans CJK SC to the kiosk's strings and
// the 3,755 common characters of GB2312 level 1 (.ci/cjk-chars.py) into the
// web folder, punchd serves it under a URL named by its content and lists
// it in the service worker's cache (offline kiosks need it most), and
// web/punchclock.css names it after the system CJK fonts, which win where
// present.
const (
	// CJKFontFile is the font's file in the web folder (a build output).
	CJKFontFile = "cjk-sc.woff2"
	// CJKFamily is its font-family in web/punchclock.css.
	CJKFamily = "Punchclock CJK"
)

// FontFace is the @font-face rule of the CJK web font at url. Its
// unicode-range is Chinese characters and punctuation only, so a page (or
// a kiosk with a system CJK font) that needs none never downloads it;
// font-display: swap shows the text at once, in the fallback font until
// the web font is ready.
func FontFace(url string) string {
	return fmt.Sprintf(`@font-face { font-family: %q; src: url(%q) format("woff2"); font-display: swap; `+
		`unicode-range: U+3000-303F, U+3400-4DBF, U+4E00-9FFF, U+F900-FAFF, U+FF00-FFEF; }`, CJKFamily, url)
}
