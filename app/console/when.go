package console

import (
	"fmt"
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// zones are the zones loaded, by IANA name: time.LoadLocation reads the
// embedded database (time/tzdata) again on every call.
var zones = map[string]*time.Location{}

// location is the rules of the IANA zone name; "" (or a name that does
// not load) is the viewer's own zone.
func location(name string) *time.Location {
	if name == "" {
		name = browserZone()
	}
	if loc, ok := zones[name]; ok {
		return loc
	}
	loc, err := time.LoadLocation(name)
	if name == "" || err != nil {
		// Go's Local in the browser is a fixed offset, today's, wrong
		// for an instant on the other side of a DST change.
		return time.Local
	}
	zones[name] = loc
	return loc
}

// browserZone is the browser's own IANA zone ("Europe/Paris"), "" when
// it does not say (and natively).
func browserZone() string {
	intl := app.Window().Get("Intl")
	if !intl.Truthy() {
		return ""
	}
	return intl.Call("DateTimeFormat").Call("resolvedOptions").Get("timeZone").String()
}

// when says an instant in zone (an IANA name: a kiosk's site's; "" the
// viewer's own) with the zone's abbreviation and its offset from UTC, so
// that a reader in another zone cannot misread it:
// "2026-03-11 10:00:00 CST (UTC+08:00)"; "never" for none.
func when(l lang, t time.Time, zone string) string {
	if t.IsZero() {
		return l.t("kiosks.never")
	}
	t = t.In(location(zone))
	abbr, secs := t.Zone()
	sign := "+"
	if secs < 0 {
		sign, secs = "-", -secs
	}
	utc := fmt.Sprintf("UTC%s%02d:%02d", sign, secs/3600, secs/60%60)
	s := t.Format("2006-01-02 15:04:05") + " "
	// A zone without a name of its own has its offset as its
	// abbreviation ("+04"): the offset alone says it.
	if abbr == "" || strings.ContainsAny(abbr[:1], "+-") || strings.HasPrefix(abbr, "UTC") {
		return s + utc
	}
	return s + abbr + " (" + utc + ")"
}
