package console

import (
	"bytes"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"punchclock/app/rules"
)

// holidayEditor is the rules section's calendar: the country whose
// statutory holidays apply (China's built in, with its make-up workdays;
// others from the calendar library), the year's days shown, and the
// company's own days off and workdays (the configuration's calendar),
// added one by one or imported from an iCal file, which is read in the
// browser and shown before it is added.
type holidayEditor struct {
	year  int
	form  *calendarForm
	errs  map[string]fieldErr
	words map[string]string
	ics   *icsImport
}

// calendarForm is a company day (or days) being added.
type calendarForm struct {
	date, to, kind, name string
}

// icsImport is an iCal file read: its days, or why it cannot be.
type icsImport struct {
	file string
	cal  rules.Calendar
	err  string // the parser's own words
}

// companyCalendar is the configuration's calendar (the company's days).
func companyCalendar(cfg map[string]any) rules.Calendar {
	var c rules.Calendar
	if raw, ok := cfg["calendar"]; ok {
		_ = decodeTree(raw, &c)
	}
	return c
}

// setCalendar puts c into the configuration ("calendar" omitted when it
// has no days).
func setCalendar(cfg map[string]any, c rules.Calendar) {
	if len(c.Days) == 0 {
		delete(cfg, "calendar")
		return
	}
	cfg["calendar"] = tree(c)
}

// setBasic sets the basic layer's key to the value chosen ("": none).
func (v *rulesView) setBasic(key string) app.EventHandler {
	return func(ctx app.Context, _ app.Event) {
		if v.cfg == nil {
			return
		}
		b := ruleMap(v.cfg.Config, "basic")
		if val := ctx.JSSrc().Get("value").String(); val == "" {
			delete(b, key)
		} else {
			b[key] = val
		}
		v.changed()
	}
}

func (v *rulesView) onYear(ctx app.Context, _ app.Event) {
	if y, err := strconv.Atoi(ctx.JSSrc().Get("value").String()); err == nil && y >= 2000 && y <= 2100 {
		v.hol.year = y
	}
}

// year is the year the calendar shows: the one chosen, else that of the
// preview's end.
func (v *rulesView) year() int {
	if v.hol.year != 0 {
		return v.hol.year
	}
	if d, err := rules.ParseDate(v.to); err == nil {
		return d.Year()
	}
	return 2026
}

func (v *rulesView) openDay(app.Context, app.Event) {
	v.hol.form, v.hol.errs = &calendarForm{kind: string(rules.Holiday)}, map[string]fieldErr{}
	v.hol.check(v)
}

func (v *rulesView) closeDay(app.Context, app.Event) { v.hol.form, v.hol.errs = nil, nil }

// onDayField keeps a field of the day being added and checks it.
func (v *rulesView) onDayField(field *string) app.EventHandler {
	return func(ctx app.Context, _ app.Event) {
		*field = ctx.JSSrc().Get("value").String()
		v.hol.check(v)
	}
}

// entry is the day typed, with the fields that are not a date in errs.
func (f *calendarForm) entry(errs map[string]fieldErr) rules.CalendarEntry {
	e := rules.CalendarEntry{Kind: rules.DayKind(f.kind), Name: strings.TrimSpace(f.name)}
	var err error
	if e.Date, err = rules.ParseDate(strings.TrimSpace(f.date)); err != nil {
		errs["date"] = fieldErr{key: "holidays.err.date"}
	}
	if s := strings.TrimSpace(f.to); s != "" {
		if e.To, err = rules.ParseDate(s); err != nil {
			errs["to"] = fieldErr{key: "holidays.err.date"}
		}
	}
	return e
}

// check validates the day being added with the calendar, as punchd
// would (rules.Calendar.Validate); it returns the calendar with the day.
func (h *holidayEditor) check(v *rulesView) rules.Calendar {
	c := companyCalendar(v.cfg.Config)
	h.errs, h.words = map[string]fieldErr{}, map[string]string{}
	if h.form == nil {
		return c
	}
	c.Days = append(c.Days, h.form.entry(h.errs))
	prefix := "calendar.days[" + strconv.Itoa(len(c.Days)-1) + "]."
	for _, fe := range rules.FieldErrors(c.Validate()) {
		field, ok := strings.CutPrefix(fe.Path, prefix)
		if _, typed := h.errs[field]; !ok || typed {
			continue
		}
		h.errs[field], h.words[field] = fieldErr{key: "holidays.err." + field}, fe.Msg
	}
	return c
}

// applyDay adds the checked day to the configuration's calendar.
func (v *rulesView) applyDay(ctx app.Context, e app.Event) {
	e.PreventDefault()
	if v.cfg == nil || v.hol.form == nil {
		return
	}
	c := v.hol.check(v)
	if len(v.hol.errs) > 0 {
		return
	}
	setCalendar(v.cfg.Config, c)
	v.changed()
	v.closeDay(ctx, e)
}

// removeDay takes company day i out of the configuration; nothing is
// saved before the preview.
func (v *rulesView) removeDay(i int) app.EventHandler {
	return func(app.Context, app.Event) {
		c := companyCalendar(v.cfg.Config)
		if i >= len(c.Days) {
			return
		}
		c.Days = slices.Delete(c.Days, i, i+1)
		setCalendar(v.cfg.Config, c)
		v.changed()
	}
}

// maxICS is the largest iCal file read: a holiday feed is a few kB.
const maxICS = 1 << 20

// onICS reads the chosen iCal file in the browser and shows its days.
func (v *rulesView) onICS(c *Console) app.EventHandler {
	return func(ctx app.Context, _ app.Event) {
		files := ctx.JSSrc().Get("files")
		if !files.Truthy() || files.Length() == 0 {
			return
		}
		f := files.Index(0)
		name := f.Get("name").String()
		v.hol.ics = &icsImport{file: name}
		if f.Get("size").Int() > maxICS {
			v.hol.ics.err = "too large"
			return
		}
		loc := v.zone(c)
		readFile(c, f, func(data []byte) {
			if v.hol.ics == nil || v.hol.ics.file != name || v.cfg == nil {
				return // another file was chosen meanwhile
			}
			v.hol.ics = readICS(name, data, loc)
		})
	}
}

// readICS parses an iCal file's days in the site's zone.
func readICS(name string, data []byte, loc *time.Location) *icsImport {
	in := &icsImport{file: name}
	cal, err := rules.ParseICalIn(bytes.NewReader(data), loc)
	switch {
	case err != nil:
		in.err = err.Error()
	case len(cal.Days) == 0:
		in.err = errNoEvents.Error()
	default:
		in.cal = cal
	}
	return in
}

var errNoEvents = errors.New("the file has no events")

// zone is the chosen site's time zone (nil for the default rules: days as
// the file writes them).
func (v *rulesView) zone(c *Console) *time.Location {
	for _, s := range c.kiosks.sites {
		if s.ID == v.site && s.Zone != "" {
			return location(s.Zone)
		}
	}
	return nil
}

// applyICS adds the file's days to the company calendar.
func (v *rulesView) applyICS(app.Context, app.Event) {
	in := v.hol.ics
	if v.cfg == nil || in == nil || in.err != "" {
		return
	}
	c := companyCalendar(v.cfg.Config)
	c.Days = append(c.Days, in.cal.Days...)
	if c.Name == "" {
		c.Name = in.cal.Name
	}
	setCalendar(v.cfg.Config, c)
	v.hol.ics = nil
	v.changed()
}

func (v *rulesView) cancelICS(app.Context, app.Event) { v.hol.ics = nil }
