package console

import (
	"context"
	"encoding/base64"
	"net/http"
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"punchclock/app/qrsvg"
)

// phoneLink is POST /api/v1/admin/phone-links's answer: a one-time link
// that activates an employee's phone.
type phoneLink struct {
	Code       string    `json:"code"`
	EmployeeID string    `json:"employee_id"`
	URL        string    `json:"url"`
	ExpiresAt  time.Time `json:"expires_at"`
}

// phonesView makes phone links and shows each as a QR code for the
// employee's phone camera, with the link itself to send instead.
type phonesView struct {
	employee string
	link     *phoneLink
	qr       string // the link as an SVG QR code, a data: URL
	err      string
}

func (v *phonesView) onEmployee(ctx app.Context, e app.Event) {
	v.employee = strings.TrimSpace(ctx.JSSrc().Get("value").String())
}

func (v *phonesView) make(c *Console) app.EventHandler {
	return func(_ app.Context, e app.Event) {
		e.PreventDefault()
		if v.employee == "" {
			return
		}
		ctx, a, req := c.ctx, c.api, map[string]string{"employee_id": v.employee}
		v.link, v.qr, v.err = nil, "", ""
		ctx.Async(func() {
			var l phoneLink
			err := a.call(context.Background(), http.MethodPost, "/api/v1/admin/phone-links", req, &l)
			qr := ""
			if err == nil {
				qr, err = qrSVG(l.URL)
			}
			ctx.Dispatch(func(app.Context) {
				if v.err = code(err); err == nil {
					v.link, v.qr = &l, qr
				}
			})
		})
	}
}

// qrSVG draws text as a QR code (medium error correction, the standard
// quiet zone) in SVG, as the kiosk draws its rotating code
// (qrsvg.Encode): crisp at any size, and no PNG encoder in the
// console's download.
func qrSVG(text string) (string, error) {
	svg, err := qrsvg.Encode(text, 280)
	if err != nil {
		return "", err
	}
	return qrsvg.DataURLPrefix + base64.StdEncoding.EncodeToString(svg), nil
}

func (v *phonesView) render(c *Console, l lang) app.UI {
	var result app.UI = app.Text("")
	switch {
	case v.err == "forbidden":
		result = app.P().ID("phone-error").Class("error").DataSet("code", v.err).Text(l.t("forbidden.phones"))
	case v.err == "not_found":
		result = app.P().ID("phone-error").Class("error").Attr("role", "alert").DataSet("code", v.err).Text(l.t("phones.noEmployee"))
	case v.err != "":
		result = app.P().ID("phone-error").Class("error").Attr("role", "alert").DataSet("code", v.err).Text(l.refusal(v.err))
	case v.link != nil:
		result = app.Div().ID("phone-link").DataSet("url", v.link.URL).Body(
			app.P().Text(l.t("phones.scan", v.link.EmployeeID)),
			app.Img().ID("phone-qr").Class("qr").Src(v.qr).Alt(l.t("phones.qrAlt")).Width(280).Height(280),
			app.P().Class("code").Style("font-size", "1rem").Text(v.link.URL),
			app.P().Class("hint").Text(l.t("enroll.expires", when(l, v.link.ExpiresAt, ""))),
		)
	}
	return app.Form().Class("card").ID("phones").OnSubmit(v.make(c)).Body(
		app.H3().Text(l.t("phones.title")),
		app.P().Class("hint").Text(l.t("phones.hint")),
		app.Label().For("phone-employee").Text(l.t("phones.employee")),
		app.Input().ID("phone-employee").Type("text").Value(v.employee).OnInput(v.onEmployee),
		app.Button().ID("phone-make").Class("button primary").Type("submit").Text(l.t("phones.make")),
		result,
	)
}
