package console

import (
	"strconv"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"punchclock/app/wire"
)

func (f *faceEnrol) render(c *Console, l lang) app.UI {
	out := []app.UI{app.H4().Text(l.t("face.title")), app.P().Class("hint").Text(l.t("face.hint"))}
	switch {
	case f.err != "":
		msg := l.refusal(f.err)
		if f.err == "transient" {
			msg = l.t("face.err.transient")
		}
		out = append(out, app.P().ID("face-error").Class("error").Attr("role", "alert").DataSet("code", f.err).Title(f.detail).Text(msg))
	case f.done != "":
		out = append(out, app.P().ID("face-done").Attr("role", "status").DataSet("done", f.done).Text(l.t("face.done."+f.done)))
	}
	if f.state == nil {
		return app.Div().ID("emp-face").Class("card").Body(out...)
	}
	out = append(out, f.renderState(l))
	if f.state.Service != wire.FaceReady {
		return app.Div().ID("emp-face").Class("card").Body(out...)
	}
	if f.state.Templates > 0 {
		out = append(out, f.renderDelete(c, l))
	}
	out = append(out,
		app.Div().Class("field check").Body(
			app.Input().ID("face-consent").Type("checkbox").Checked(f.consent).OnChange(f.onConsent),
			app.Label().For("face-consent").Text(l.t("face.consent", f.name)),
		),
		app.Div().Class("field").Body(
			app.Label().For("face-photos").Text(l.t("face.photos")),
			// capture opens the camera on a phone or tablet; a desktop
			// browser offers its files.
			app.Input().ID("face-photos").Type("file").Accept("image/*").Attr("capture", "user").Multiple(true).
				Disabled(!f.consent || f.busy || len(f.photos) >= wire.MaxFacePhotos).
				Aria("describedby", "face-photos-hint").OnChange(f.onFiles(c)),
			app.Span().ID("face-photos-hint").Class("hint").Text(l.t(f.photosHint())),
		),
		f.renderPhotos(l),
	)
	_, accepted := f.sendable(true)
	out = append(out, app.Button().ID("face-enroll").Type("button").Class("button primary").
		Disabled(!f.consent || len(accepted) == 0 || f.busy || f.reading > 0).
		Text(l.t("face.enroll", len(accepted))).OnClick(f.enroll(c)))
	return app.Div().ID("emp-face").Class("card").Body(out...)
}

// photosHint says what the photo input waits for.
func (f *faceEnrol) photosHint() string {
	switch {
	case !f.consent:
		return "face.needConsent"
	case len(f.photos) >= wire.MaxFacePhotos:
		return "face.full"
	}
	return "face.photosHint"
}

// renderState says what the face service holds, or why it cannot be
// asked.
func (f *faceEnrol) renderState(l lang) app.UI {
	st := f.state
	p := app.P().ID("face-state").DataSet("service", string(st.Service)).DataSet("templates", st.Templates)
	switch {
	case st.Service != wire.FaceReady:
		return p.Class("hint").Text(l.t("face.svc." + string(st.Service)))
	case st.Templates > 0:
		return p.Text(l.t("face.enrolled", st.Templates, when(l, st.EnrolledAt, "")))
	case st.Consent != nil && !st.Consent.WithdrawnAt.IsZero():
		return p.Text(l.t("face.withdrawn", when(l, st.Consent.WithdrawnAt, "")))
	}
	return p.Text(l.t("face.none"))
}

func (f *faceEnrol) renderPhotos(l lang) app.UI {
	if len(f.photos) == 0 {
		return app.P().ID("face-photos-none").Class("empty").Text(l.t("face.noPhotos"))
	}
	return app.Ul().ID("face-list").Body(app.Range(f.photos).Slice(func(i int) app.UI {
		p := f.photos[i]
		result := p.result
		if result == "" {
			result = "checking"
		}
		cls := "error"
		if result == "accepted" || result == "checking" {
			cls = "ok"
		}
		return app.Li().ID("face-photo-"+strconv.Itoa(i)).DataSet("result", result).Body(
			app.Span().Text(p.name+" "),
			app.Span().Class(cls).Attr("role", "status").Text(l.t("face.photo."+result)),
			app.Text(" "),
			app.Button().ID("face-remove-"+strconv.Itoa(i)).Type("button").Class("button").DataSet("index", i).
				Disabled(f.busy || f.reading > 0).Aria("label", l.t("face.removeOf", p.name)).Text(l.t("face.remove")).OnClick(f.remove),
		)
	}))
}

func (f *faceEnrol) renderDelete(c *Console, l lang) app.UI {
	if !f.asking {
		return app.Button().ID("face-delete").Type("button").Class("button danger").Disabled(f.busy).Text(l.t("face.delete")).OnClick(f.ask)
	}
	return app.Div().ID("confirm-face").Class("card confirm").Attr("role", "alertdialog").Body(
		app.P().Text(l.t("face.ask", f.name)),
		app.Button().ID("face-delete-yes").Type("button").Class("button danger").Text(l.t("face.yes")).OnClick(f.erase(c)).AutoFocus(true),
		app.Button().ID("face-delete-cancel").Type("button").Class("button").Text(l.t("kiosks.cancel")).OnClick(f.cancel),
	)
}
