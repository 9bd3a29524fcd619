package console

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"punchclock/app/wire"
)

// The webhook endpoints and their delivery log, for an administrator
// (GET /api/v1/admin/webhooks, .../deliveries, POST .../replay): every
// endpoint with the events it receives; opened, its latest deliveries
// with each attempt's answer, and a button that sends a delivery again
// (the same webhook-id, so the receiver dedupes it). Endpoints are made
// and deleted through the API; the console shows and replays.

// webhooksView is the kiosks section's webhook card.
type webhooksView struct {
	loaded bool
	err    string
	list   []wire.WebhookEndpoint

	open       string // the endpoint whose log is shown
	logLoaded  bool
	logErr     string
	deliveries []wire.WebhookDelivery
	replayed   string // the delivery sent again last
	replayErr  string
}

func (v *webhooksView) load(c *Console) {
	var out struct {
		Endpoints []wire.WebhookEndpoint `json:"endpoints"`
	}
	c.get("/api/v1/admin/webhooks", &out, func(err string) {
		v.loaded, v.err, v.list = true, err, out.Endpoints
	})
}

// show opens the log of the endpoint of the button pressed.
func (v *webhooksView) show(c *Console) app.EventHandler {
	return func(ctx app.Context, _ app.Event) {
		v.open, v.replayed, v.replayErr = ctx.JSSrc().Get("dataset").Get("id").String(), "", ""
		v.loadLog(c)
	}
}

func (v *webhooksView) loadLog(c *Console) {
	var out struct {
		Deliveries []wire.WebhookDelivery `json:"deliveries"`
	}
	v.logLoaded = false
	id := v.open
	c.get("/api/v1/admin/webhooks/"+url.PathEscape(id)+"/deliveries?limit=50", &out, func(err string) {
		if v.open == id {
			v.logLoaded, v.logErr, v.deliveries = true, err, out.Deliveries
		}
	})
}

// replay sends the delivery of the button pressed again.
func (v *webhooksView) replay(c *Console) app.EventHandler {
	return func(actx app.Context, _ app.Event) {
		id, ep := actx.JSSrc().Get("dataset").Get("id").String(), v.open
		ctx, a := c.ctx, c.api
		ctx.Async(func() {
			err := a.call(context.Background(), http.MethodPost, "/api/v1/admin/webhooks/"+url.PathEscape(ep)+"/deliveries/"+url.PathEscape(id)+"/replay", nil, nil)
			ctx.Dispatch(func(app.Context) {
				v.replayErr = code(err)
				if err == nil {
					v.replayed = id
				}
				v.loadLog(c)
			})
		})
	}
}

// lastAnswer says a delivery's last attempt: its status code, or its
// error, or that none was made.
func lastAnswer(l lang, d wire.WebhookDelivery) string {
	if len(d.Attempts) == 0 {
		return l.t("hooks.noAttempt")
	}
	a := d.Attempts[len(d.Attempts)-1]
	if a.StatusCode != 0 {
		return strconv.Itoa(a.StatusCode)
	}
	return a.Error
}

func (v *webhooksView) render(c *Console, l lang) app.UI {
	body := listState(l, "hooks", v.loaded, v.err, len(v.list) == 0)
	if body == nil {
		body = app.Table().ID("hooks").Body(
			app.THead().Body(app.Tr().Body(app.Th().Text(l.t("hooks.url")), app.Th().Text(l.t("hooks.events")), app.Th().Text(""))),
			app.TBody().Body(app.Range(v.list).Slice(func(i int) app.UI {
				e := v.list[i]
				return app.Tr().Body(
					app.Td().Text(e.URL),
					app.Td().Text(strings.Join(e.Events, ", ")),
					app.Td().Body(app.Button().ID("hook-log-"+e.ID).Class("button").DataSet("id", e.ID).
						Aria("label", l.t("hooks.logOf", e.URL)).Text(l.t("hooks.log")).OnClick(v.show(c))),
				)
			})),
		)
	}
	return app.Div().Class("card").ID("webhooks").Body(
		app.H3().Text(l.t("hooks.title")),
		app.P().Class("hint").Text(l.t("hooks.hint")),
		body,
		v.renderLog(c, l),
	)
}

func (v *webhooksView) renderLog(c *Console, l lang) app.UI {
	if v.open == "" {
		return app.Text("")
	}
	var msg app.UI = app.Text("")
	switch {
	case v.replayErr != "":
		msg = app.P().ID("hook-replay-error").Class("error").Attr("role", "alert").DataSet("code", v.replayErr).Text(l.refusal(v.replayErr))
	case v.replayed != "":
		msg = app.P().ID("hook-replayed").Class("ok").Attr("role", "status").Text(l.t("hooks.replayed"))
	}
	body := listState(l, "hookLog", v.logLoaded, v.logErr, len(v.deliveries) == 0)
	if body == nil {
		body = app.Table().ID("hook-log").Body(
			app.THead().Body(app.Tr().Body(
				app.Th().Text(l.t("hooks.made")), app.Th().Text(l.t("hooks.event")), app.Th().Text(l.t("hooks.state")),
				app.Th().Text(l.t("hooks.attempts")), app.Th().Text(l.t("hooks.last")), app.Th().Text(""))),
			app.TBody().Body(app.Range(v.deliveries).Slice(func(i int) app.UI {
				d := v.deliveries[i]
				return app.Tr().ID("hook-delivery-"+d.ID).DataSet("state", d.State).Body(
					app.Td().Text(d.CreatedAt.Local().Format("2006-01-02 15:04:05")),
					app.Td().Body(app.Text(d.EventType), app.Br(), app.Code().Text(d.EventID)),
					app.Td().Text(l.t("hooks.state."+d.State)),
					app.Td().Text(strconv.Itoa(len(d.Attempts))),
					app.Td().Text(lastAnswer(l, d)),
					app.Td().Body(app.Button().ID("hook-replay-"+d.ID).Class("button").DataSet("id", d.ID).
						Aria("label", l.t("hooks.replayOf", d.EventID)).Text(l.t("hooks.replay")).OnClick(v.replay(c))),
				)
			})),
		)
	}
	return app.Div().ID("hook-log-card").Body(app.H4().Text(l.t("hooks.logTitle")), msg, body)
}

// hookTexts are the webhook card's texts; init adds them to texts.
var hookTexts = map[lang]map[string]string{
	"en": {
		"hooks.title":           "Webhooks",
		"hooks.hint":            "Endpoints that receive punches, day changes and approvals, signed in the Standard Webhooks form. Register them through the API (POST /api/v1/admin/webhooks).",
		"hooks.none":            "No webhook endpoint yet.",
		"forbidden.hooks":       "Your role does not include the webhooks.",
		"hooks.url":             "URL",
		"hooks.events":          "Events",
		"hooks.log":             "Delivery log",
		"hooks.logOf":           "Delivery log of %s",
		"hooks.logTitle":        "Latest deliveries",
		"hookLog.none":          "Nothing sent to this endpoint yet.",
		"forbidden.hookLog":     "Your role does not include the delivery log.",
		"hooks.made":            "Made",
		"hooks.event":           "Event",
		"hooks.state":           "State",
		"hooks.attempts":        "Attempts",
		"hooks.last":            "Last answer",
		"hooks.noAttempt":       "not tried yet",
		"hooks.state.pending":   "waiting to be sent",
		"hooks.state.succeeded": "delivered",
		"hooks.state.failed":    "failed",
		"hooks.replay":          "Send again",
		"hooks.replayOf":        "Send %s again",
		"hooks.replayed":        "Sent again, with the same webhook-id.",
	},
	"zh": {
		"hooks.title":           "Webhook 推送",
		"hooks.hint":            "接收打卡、日考勤变更和审批事件的地址，按 Standard Webhooks 格式签名。通过 API 注册（POST /api/v1/admin/webhooks）。",
		"hooks.none":            "尚无 Webhook 地址。",
		"forbidden.hooks":       "您的角色不包括 Webhook。",
		"hooks.url":             "地址",
		"hooks.events":          "事件",
		"hooks.log":             "投递记录",
		"hooks.logOf":           "%s 的投递记录",
		"hooks.logTitle":        "最近的投递",
		"hookLog.none":          "尚未向此地址发送任何内容。",
		"forbidden.hookLog":     "您的角色不包括投递记录。",
		"hooks.made":            "生成时间",
		"hooks.event":           "事件",
		"hooks.state":           "状态",
		"hooks.attempts":        "尝试次数",
		"hooks.last":            "最后应答",
		"hooks.noAttempt":       "尚未尝试",
		"hooks.state.pending":   "等待发送",
		"hooks.state.succeeded": "已送达",
		"hooks.state.failed":    "失败",
		"hooks.replay":          "重新发送",
		"hooks.replayOf":        "重新发送 %s",
		"hooks.replayed":        "已重新发送，webhook-id 不变。",
	},
}

func init() { addTexts(hookTexts) }
