package console

import (
	"strconv"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"punchclock/app/rules"
)

// numField is a number of the rule set the console edits in place: its
// path (as rules.RuleSet.Validate names it), its bounds (for the words
// next to it; the validator decides) and where it is kept.
type numField struct {
	path     string
	min, max int
	ptr      func(*rules.RuleSet) *int
}

// dayTypes are the overtime rules' day types, by their JSON names.
var dayTypes = []string{"workday", "rest_day", "holiday"}

// overtimeRule is the rule set's overtime rule of day type d.
func overtimeRule(rs *rules.RuleSet, d string) *rules.OvertimeRule {
	switch d {
	case "rest_day":
		return &rs.Overtime.RestDay
	case "holiday":
		return &rs.Overtime.Holiday
	}
	return &rs.Overtime.Workday
}

// makeup is the rule set's make-up policy, made when missing.
func makeup(rs *rules.RuleSet) *rules.Makeup {
	if rs.Makeup == nil {
		rs.Makeup = &rules.Makeup{}
	}
	return rs.Makeup
}

// numFields are the overtime rules' and the make-up policy's numbers.
var numFields = func() []numField {
	var out []numField
	for _, d := range dayTypes {
		p := "overtime." + d + "."
		if d == "workday" { // only a workday has a shift end to count from
			out = append(out, numField{p + "start_after_min", 0, 720, func(rs *rules.RuleSet) *int { return &overtimeRule(rs, d).StartAfterMin }})
		}
		out = append(out,
			numField{p + "min_min", 0, 1440, func(rs *rules.RuleSet) *int { return &overtimeRule(rs, d).MinMin }},
			numField{p + "round_min", 0, 240, func(rs *rules.RuleSet) *int { return &overtimeRule(rs, d).RoundMin }},
			numField{p + "max_min", 0, 1440, func(rs *rules.RuleSet) *int { return &overtimeRule(rs, d).MaxMin }},
		)
	}
	return append(out,
		numField{verifyWindow, 1, 240, func(rs *rules.RuleSet) *int { return &verification(rs).WindowMin }},
		numField{"makeup.monthly_cap", -1, 99, func(rs *rules.RuleSet) *int { return &makeup(rs).MonthlyCap }},
		numField{"makeup.window_days", 1, 180, func(rs *rules.RuleSet) *int { return &makeup(rs).WindowDays }},
		numField{"makeup.cutoff_day", 0, 28, func(rs *rules.RuleSet) *int { return &makeup(rs).CutoffDay }},
	)
}()

// overtimeEditor is the overtime rules per day type (counted or not, from
// when, the minimum, the rounding, the cap, approval), the make-up punch
// policy (monthly cap, window, cutoff) and mixed verification (which
// methods, within how many minutes; verification.go), as typed; they join
// the configuration when it is previewed (rulesView.edited).
type overtimeEditor struct {
	values map[string]string // numbers by path
	flags  map[string]bool   // overtime.D.enabled, overtime.D.needs_approval, makeup (a policy of its own)
	errs   map[string]fieldErr
	words  map[string]string
}

func newOvertimeEditor(rs rules.RuleSet) overtimeEditor {
	e := overtimeEditor{values: map[string]string{}, flags: map[string]bool{}}
	own := rs.Makeup != nil
	if !own {
		rs.Makeup = &rules.Makeup{MonthlyCap: 3, WindowDays: 30} // offered when one is made
	}
	e.loadVerification(rs.Exceptions.Verification, rs.Exceptions.NFCSerial)
	if rs.Exceptions.Verification == nil {
		rs.Exceptions.Verification = &rules.Verification{WindowMin: 15} // offered when asked for
	}
	for _, f := range numFields {
		e.values[f.path] = strconv.Itoa(*f.ptr(&rs))
	}
	for _, d := range dayTypes {
		r := overtimeRule(&rs, d)
		e.flags["overtime."+d+".enabled"], e.flags["overtime."+d+".needs_approval"] = r.Enabled, r.NeedsApproval
	}
	e.flags["makeup"] = own
	return e
}

// fill puts the typed values into rs, noting the numbers that are not
// whole numbers.
func (e *overtimeEditor) fill(rs *rules.RuleSet) {
	e.errs, e.words = map[string]fieldErr{}, map[string]string{}
	rs.Makeup, rs.Exceptions.Verification = nil, nil
	for _, f := range numFields {
		if !e.shown(f.path) {
			continue // hidden, it keeps what the configuration has
		}
		s := strings.TrimSpace(e.values[f.path])
		n, err := strconv.Atoi(s)
		if s == "" && !strings.HasPrefix(f.path, "makeup.") {
			n, err = 0, nil
		}
		if err != nil {
			e.errs[f.path] = fieldErr{key: "shifts.err.number"}
			continue
		}
		*f.ptr(rs) = n
	}
	if e.flags["makeup"] {
		makeup(rs)
	}
	e.fillVerification(rs)
	for _, d := range dayTypes {
		r := overtimeRule(rs, d)
		r.Enabled, r.NeedsApproval = e.flags["overtime."+d+".enabled"], e.flags["overtime."+d+".needs_approval"]
	}
}

// shown reports whether the field of path is on the page: a day type's
// numbers only while its overtime counts, the make-up numbers only with
// a policy of the rule set's own.
func (e *overtimeEditor) shown(path string) bool {
	if strings.HasPrefix(path, "makeup.") {
		return e.flags["makeup"]
	}
	if path == verifyWindow {
		return e.flags["verification"]
	}
	parts := strings.Split(path, ".")
	return len(parts) < 2 || e.flags["overtime."+parts[1]+".enabled"]
}

// check validates the typed values with the rest of the rule set, as
// punchd would.
func (e *overtimeEditor) check(cfg map[string]any) {
	rs := ruleSet(cfg)
	e.fill(&rs)
	bounds := map[string]numField{}
	for _, f := range numFields {
		bounds[f.path] = f
	}
	for _, fe := range rules.FieldErrors(rs.Validate()) {
		if strings.HasPrefix(fe.Path, verifyMethods) {
			e.errs[verifyMethods], e.words[verifyMethods] = fieldErr{key: "verification.err.methods"}, fe.Msg
			continue
		}
		f, ours := bounds[fe.Path]
		if _, typed := e.errs[fe.Path]; !ours || typed {
			continue
		}
		e.errs[fe.Path], e.words[fe.Path] = fieldErr{key: "rules.range", args: []any{f.min, f.max}}, fe.Msg
	}
}

// apply puts the typed values into cfg (a copy being sent); false when
// one is in error.
func (e *overtimeEditor) apply(cfg map[string]any) bool {
	if e.values == nil {
		return true // nothing loaded, nothing typed
	}
	e.check(cfg)
	if len(e.errs) > 0 {
		return false
	}
	rs := ruleSet(cfg)
	e.fill(&rs)
	r := cfg["rules"].(map[string]any) // ruleSet's caller made it (exceptions)
	if t, ok := tree(rs.Overtime).(map[string]any); ok && len(t) > 0 {
		r["overtime"] = t
	} else {
		delete(r, "overtime")
	}
	if rs.Makeup != nil {
		r["makeup"] = tree(rs.Makeup)
	} else {
		delete(r, "makeup")
	}
	ex := exceptions(cfg)
	if rs.Exceptions.Verification != nil {
		ex["verification"] = tree(rs.Exceptions.Verification)
	} else {
		delete(ex, "verification")
	}
	if rs.Exceptions.NFCSerial != "" {
		ex["nfc_serial"] = rs.Exceptions.NFCSerial
	} else {
		delete(ex, "nfc_serial")
	}
	return true
}

func (v *rulesView) onOvertime(path string) app.EventHandler {
	return func(ctx app.Context, _ app.Event) {
		if v.cfg == nil {
			return
		}
		v.ot.values[path], v.preview, v.saved = ctx.JSSrc().Get("value").String(), nil, nil
		v.ot.check(v.cfg.Config)
	}
}

func (v *rulesView) onOvertimeFlag(path string) app.EventHandler {
	return func(ctx app.Context, _ app.Event) {
		if v.cfg == nil {
			return
		}
		v.ot.flags[path], v.preview, v.saved = ctx.JSSrc().Get("checked").Bool(), nil, nil
		v.ot.check(v.cfg.Config)
	}
}

// otInput is a number of the overtime card with its problem next to it.
func (v *rulesView) otInput(l lang, path, label string) app.UI {
	id := "ot-" + strings.ReplaceAll(path, ".", "-")
	fe, bad := v.ot.errs[path]
	var msg app.UI = app.Text("")
	if bad {
		msg = app.Span().ID(id+"-error").Class("error").Attr("role", "alert").Title(v.ot.words[path]).Text(l.t(fe.key, fe.args...))
	}
	return app.Div().Class("field").Body(
		app.Label().For(id).Text(label),
		app.Input().ID(id).Type("number").Value(v.ot.values[path]).Aria("invalid", bad).OnInput(v.onOvertime(path)),
		msg,
	)
}

func (v *rulesView) otCheck(path, label string) app.UI {
	id := "ot-" + strings.ReplaceAll(path, ".", "-")
	return app.Div().Class("field").Body(
		app.Input().ID(id).Type("checkbox").Checked(v.ot.flags[path]).OnChange(v.onOvertimeFlag(path)),
		app.Label().For(id).Text(label),
	)
}

// renderOvertime is the overtime and make-up card.
func (v *rulesView) renderOvertime(l lang) app.UI {
	if v.ot.values == nil {
		return app.Text("")
	}
	return app.Div().ID("overtime-card").Class("card").Body(
		app.H3().Text(l.t("overtime.title")),
		app.Range(dayTypes).Slice(func(i int) app.UI {
			d := dayTypes[i]
			p := "overtime." + d + "."
			name := l.t("overtime." + d)
			return app.FieldSet().ID("overtime-"+d).Body(
				app.Legend().Text(name),
				v.otCheck(p+"enabled", l.t("overtime.enabled", name)),
				app.If(v.ot.flags[p+"enabled"], func() app.UI {
					return app.Div().Class("field-row").Body(
						app.If(d == "workday", func() app.UI { return v.otInput(l, p+"start_after_min", l.t("overtime.start_after_min")) }),
						v.otInput(l, p+"min_min", l.t("overtime.min_min")),
						v.otInput(l, p+"round_min", l.t("overtime.round_min")),
						v.otInput(l, p+"max_min", l.t("overtime.max_min")),
						v.otCheck(p+"needs_approval", l.t("overtime.needs_approval")),
					)
				}),
			)
		}),
		v.renderVerification(l),
		app.H3().Text(l.t("makeup.title")),
		v.otCheck("makeup", l.t("makeup.own")),
		app.If(v.ot.flags["makeup"], func() app.UI {
			return app.Div().Class("field-row").Body(
				v.otInput(l, "makeup.monthly_cap", l.t("makeup.monthly_cap")),
				v.otInput(l, "makeup.window_days", l.t("makeup.window_days")),
				v.otInput(l, "makeup.cutoff_day", l.t("makeup.cutoff_day")),
			)
		}),
	)
}
