package console

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"punchclock/app/rules"
)

// schedEditor is the rules section's shifts and rotations: listed, and
// one at a time made or edited in a form checked as it is typed, by the
// very validation punchd applies (rules.RuleSet.Validate). An applied
// form changes the configuration the section previews and saves; nothing
// reaches punchd before the preview.
type schedEditor struct {
	shift   *shiftForm
	rot     *rotationForm
	week    *weeklyForm         // weekly.go
	errs    map[string]fieldErr // the open form's problems by field
	words   map[string]string   // the validator's own words by field
	pending int                 // shifts and rotations applied, not yet saved
}

// shiftForm is a shift being made or edited, its fields as typed.
type shiftForm struct {
	index                           int // in the rule set's shifts; len(shifts): a new one
	id, name, start, end, breaks    string
	inEarliest, outLatest           string
	flex                            bool
	coreStart, coreEnd, requiredMin string
}

// rotationForm is a rotation being made or edited.
type rotationForm struct {
	index           int
	id, name        string
	pattern         string // shift ids and "rest", comma-separated
	observeHolidays bool   // kept as it was
}

// restWords are what the pattern field takes for a rest day.
var restWords = map[string]bool{"rest": true, "-": true, "休": true, "休息": true}

// ruleSet decodes the configuration's rule set (the JSON tree the
// section edits).
func ruleSet(cfg map[string]any) rules.RuleSet {
	var rs rules.RuleSet
	_ = decodeTree(cfg["rules"], &rs)
	return rs
}

// decodeTree decodes a part of the JSON tree into out.
func decodeTree(v, out any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, out)
}

// minutes formats an optional number of minutes ("" for 0: the default).
func minutes(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

func newShiftForm(rs rules.RuleSet, i int) *shiftForm {
	f := &shiftForm{index: i}
	if i >= len(rs.Shifts) {
		return f
	}
	s := rs.Shifts[i]
	f.id, f.name, f.start, f.end = s.ID, s.Name, s.Start.String(), s.End.String()
	var bs []string
	for _, b := range s.Breaks {
		bs = append(bs, b.Start.String()+"-"+b.End.String())
	}
	f.breaks = strings.Join(bs, ", ")
	f.inEarliest, f.outLatest = minutes(s.InEarliestMin), minutes(s.OutLatestMin)
	if s.Flex != nil {
		f.flex, f.coreStart, f.coreEnd = true, s.Flex.CoreStart.String(), s.Flex.CoreEnd.String()
		f.requiredMin = strconv.Itoa(s.Flex.RequiredMin)
	}
	return f
}

func newRotationForm(rs rules.RuleSet, i int) *rotationForm {
	f := &rotationForm{index: i}
	if i < len(rs.Rotations) {
		r := rs.Rotations[i]
		f.id, f.name, f.observeHolidays = r.ID, r.Name, r.ObserveHolidays
		f.pattern = strings.Join(patternWords(r.Pattern), ", ")
	}
	return f
}

// patternWords writes a rest day of a pattern as "rest".
func patternWords(p []string) []string {
	out := make([]string, len(p))
	for i, id := range p {
		out[i] = id
		if id == "" {
			out[i] = "rest"
		}
	}
	return out
}

// parse is the shift typed, with the fields that are not a time or a
// number in errs.
func (f *shiftForm) parse(errs map[string]fieldErr) rules.Shift {
	s := rules.Shift{ID: strings.TrimSpace(f.id), Name: strings.TrimSpace(f.name)}
	clock := func(field, text string) rules.Clock {
		c, err := rules.ParseClock(strings.TrimSpace(text))
		if err != nil {
			errs[field] = fieldErr{key: "shifts.err.time"}
		}
		return c
	}
	number := func(field, text string) int {
		if strings.TrimSpace(text) == "" {
			return 0
		}
		n, err := strconv.Atoi(strings.TrimSpace(text))
		if err != nil {
			errs[field] = fieldErr{key: "shifts.err.number"}
		}
		return n
	}
	s.Start, s.End = clock("start", f.start), clock("end", f.end)
	for _, b := range strings.Split(f.breaks, ",") {
		if b = strings.TrimSpace(b); b == "" {
			continue
		}
		from, to, ok := strings.Cut(strings.ReplaceAll(b, "–", "-"), "-")
		if !ok {
			errs["breaks"] = fieldErr{key: "shifts.err.breaks"}
			continue
		}
		s.Breaks = append(s.Breaks, rules.Break{Start: clock("breaks", from), End: clock("breaks", to)})
	}
	s.InEarliestMin, s.OutLatestMin = number("in_earliest_min", f.inEarliest), number("out_latest_min", f.outLatest)
	if f.flex {
		s.Flex = &rules.Flex{CoreStart: clock("core", f.coreStart), CoreEnd: clock("core", f.coreEnd), RequiredMin: number("required_min", f.requiredMin)}
	}
	return s
}

// parse is the rotation typed.
func (f *rotationForm) parse() rules.Rotation {
	r := rules.Rotation{ID: strings.TrimSpace(f.id), Name: strings.TrimSpace(f.name), ObserveHolidays: f.observeHolidays}
	for _, w := range strings.FieldsFunc(f.pattern, func(r rune) bool { return r == ',' || r == '，' || r == ' ' }) {
		if restWords[strings.ToLower(w)] {
			w = ""
		}
		r.Pattern = append(r.Pattern, w)
	}
	return r
}

// shiftFields maps the validator's paths under a shift to the form's
// fields.
var shiftFields = map[string]string{
	"id": "id", "start": "start", "end": "end", "in_earliest_min": "in_earliest_min",
	"out_latest_min": "out_latest_min", "flex": "core", "flex.required_min": "required_min",
}

// check validates the open form, with the rest of the rule set, as punchd
// would; it returns the rule set with the form applied.
func (e *schedEditor) check(cfg map[string]any) rules.RuleSet {
	rs := ruleSet(cfg)
	e.errs, e.words = map[string]fieldErr{}, map[string]string{}
	var prefix string
	switch {
	case e.shift != nil:
		s := e.shift.parse(e.errs)
		prefix = fmt.Sprintf("shifts[%d].", e.shift.index)
		rs.Shifts = put(rs.Shifts, e.shift.index, s)
	case e.rot != nil:
		r := e.rot.parse()
		prefix = fmt.Sprintf("rotations[%d].", e.rot.index)
		rs.Rotations = put(rs.Rotations, e.rot.index, r)
	case e.week != nil:
		w := e.week.parse()
		prefix = fmt.Sprintf("weekly[%d].", e.week.index)
		rs.Weekly = put(rs.Weekly, e.week.index, w)
	default:
		return rs
	}
	for _, fe := range rules.FieldErrors(rs.Validate()) {
		rest, ok := strings.CutPrefix(fe.Path, prefix)
		if !ok {
			continue
		}
		if e.week != nil {
			if field, key := weeklyField(rest); field != "" {
				e.errs[field], e.words[field] = fieldErr{key: key}, fe.Msg
			}
			continue
		}
		field, key := shiftFields[rest], ""
		switch {
		case e.rot != nil && rest == "id":
			field, key = "id", "shifts.err.id"
		case e.rot != nil && strings.HasPrefix(rest, "pattern"):
			field, key = "pattern", "rotations.err.length"
			if j, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(rest, "pattern["), "]")); err == nil {
				key = "rotations.err.unknown"
				e.errs[field] = fieldErr{key: key, args: []any{e.rot.parse().Pattern[j]}}
				e.words[field] = fe.Msg
				continue
			}
		case e.rot != nil:
			continue
		case strings.HasPrefix(rest, "breaks"):
			field = "breaks"
		}
		if _, typed := e.errs[field]; typed || field == "" {
			continue // the form's own words (not a time) come first
		}
		if key == "" {
			key = "shifts.err." + field
		}
		e.errs[field], e.words[field] = fieldErr{key: key}, fe.Msg
	}
	return rs
}

// open opens the form of a shift, rotation or weekly schedule (kind) i;
// i past the end makes a new one. The fields are set on the page too:
// go-app leaves an input it reused with its old value when the new one is
// empty.
func (v *rulesView) open(c *Console, kind string, i int) app.EventHandler {
	return func(app.Context, app.Event) {
		if v.cfg == nil {
			return
		}
		e, rs := &v.sched, ruleSet(v.cfg.Config)
		e.shift, e.rot, e.week = nil, nil, nil
		var n int
		switch kind {
		case "rotation":
			n = len(rs.Rotations)
			e.rot = newRotationForm(rs, min(i, n))
		case "weekly":
			n = len(rs.Weekly)
			e.week = newWeeklyForm(rs, min(i, n))
		default:
			n = len(rs.Shifts)
			e.shift = newShiftForm(rs, min(i, n))
		}
		e.errs = map[string]fieldErr{}
		if i < n {
			e.check(v.cfg.Config)
		}
		c.ctx.Defer(func(app.Context) {
			for id, val := range e.values() {
				setValue(id, *val)
			}
		})
	}
}

// open reports whether a shift, rotation or weekly schedule form is open.
func (e *schedEditor) open() bool { return e.shift != nil || e.rot != nil || e.week != nil }

// values are the open form's text fields by element id.
func (e *schedEditor) values() map[string]*string {
	if f := e.shift; f != nil {
		return map[string]*string{
			"shift-id": &f.id, "shift-name": &f.name, "shift-start": &f.start, "shift-end": &f.end,
			"shift-breaks": &f.breaks, "shift-in_earliest_min": &f.inEarliest, "shift-out_latest_min": &f.outLatest,
			"shift-core-start": &f.coreStart, "shift-core-end": &f.coreEnd, "shift-required_min": &f.requiredMin,
		}
	}
	if f := e.rot; f != nil {
		return map[string]*string{"rotation-id": &f.id, "rotation-name": &f.name, "rotation-pattern": &f.pattern}
	}
	if f := e.week; f != nil {
		return map[string]*string{"weekly-id": &f.id, "weekly-name": &f.name}
	}
	return nil
}

// onInput keeps what was typed into the field with element id and checks
// the form again.
func (v *rulesView) onSchedInput(id string) app.EventHandler {
	return func(ctx app.Context, _ app.Event) {
		if p, ok := v.sched.values()[id]; ok && v.cfg != nil {
			*p = ctx.JSSrc().Get("value").String()
			v.sched.check(v.cfg.Config)
		}
	}
}

func (v *rulesView) onFlex(ctx app.Context, _ app.Event) {
	if f := v.sched.shift; f != nil && v.cfg != nil {
		f.flex = ctx.JSSrc().Get("checked").Bool()
		v.sched.check(v.cfg.Config)
	}
}

func (v *rulesView) closeSched(app.Context, app.Event) {
	v.sched.shift, v.sched.rot, v.sched.week, v.sched.errs = nil, nil, nil, nil
}

// apply puts the checked form into the configuration: the preview and
// the save below then include it.
func (v *rulesView) apply(ctx app.Context, e app.Event) {
	e.PreventDefault()
	s := &v.sched
	if v.cfg == nil || !s.open() {
		return
	}
	rs := s.check(v.cfg.Config)
	if len(s.errs) > 0 {
		return
	}
	r, ok := v.cfg.Config["rules"].(map[string]any)
	if !ok {
		r = map[string]any{}
		v.cfg.Config["rules"] = r
	}
	switch {
	case s.shift != nil:
		r["shifts"] = tree(rs.Shifts)
	case s.rot != nil:
		r["rotations"] = tree(rs.Rotations)
	default:
		r["weekly"] = tree(rs.Weekly)
	}
	s.pending++
	v.preview, v.saved = nil, nil
	v.closeSched(ctx, e)
}

// put sets s[i] to x, or appends x when i is past the end (a new one).
func put[T any](s []T, i int, x T) []T {
	if i < len(s) {
		s[i] = x
		return s
	}
	return append(s, x)
}

// tree is v as the JSON tree the configuration is kept as.
func tree(v any) any {
	var out any
	if raw, err := json.Marshal(v); err == nil {
		_ = json.Unmarshal(raw, &out)
	}
	return out
}

// span says a shift's hours, a cross-midnight one with its next day:
// "22:00 → 06:00 (+1 day)".
func span(l lang, s rules.Shift) string {
	if s.End <= s.Start {
		return l.t("shifts.overnight", s.Start, s.End)
	}
	return s.Start.String() + " → " + s.End.String()
}
