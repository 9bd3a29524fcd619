package report

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"punchclock/app/attendance"
	"punchclock/app/rules"
	"punchclock/server/internal/dayrec"
	"punchclock/server/internal/store"
)

// punchColumns are the punch details' columns: one row per punch, with
// what the server made of it, the reference to its signed evidence (the
// punch id opens GET /api/v1/punches/{id}; the hash is of its signed
// body) and what that evidence says: the position a phone reported (as
// numbers, WGS 84 or GCJ-02 as the phone said), the badge code, face
// verdict, QR token and photo the method rests on, and the place a field
// employee typed.
var punchColumns = slices.Concat(whoColumns, []column{
	{"time", "Time", "打卡时间"},
	{"method", "Method", "打卡方式"},
	{"direction", "Direction", "打卡类型"},
	{"device_id", "Device", "打卡设备"},
	{"site", "Site", "打卡地点"},
	{"status", "Status", "状态"},
	{"code", "Rejection code", "拒绝原因"},
	{"flags", "Flags", "标记"},
	{"location", "Location", "位置判定"},
	{"punch_id", "Punch ID", "打卡记录编号"},
	{"hash", "Hash", "哈希"},
	{"lat", "Latitude", "纬度"},
	{"lng", "Longitude", "经度"},
	{"accuracy_m", "Accuracy (m)", "定位精度（米）"},
	{"evidence", "Evidence", "打卡凭证"},
	{"place", "Place typed", "手动填写地点"},
})

// punchRow is what the punch details show of a punch.
type punchRow struct {
	id, employee, method, direction, device, site, status, code, flags, hash string
	at                                                                       time.Time // true time
	where                                                                    *attendance.Location
	evidence, place                                                          string
}

// round is f to the nearest 1/scale.
func round(f, scale float64) float64 { return math.Round(f*scale) / scale }

// evidenceOf is the references of a punch's evidence, as words: the
// badge code, the face verdict's id, the QR token, a terminal's record
// (serial, PIN, raw verify and status codes), an NFC tag's serial and
// whether it carried a signed token, and the photo's SHA-256 (the photo
// itself is in the signed body). The face service's
// sealed audit is left out: punchd opens it on GET /punches/{id}.
func evidenceOf(e attendance.Evidence) string {
	var parts []string
	for _, p := range []struct{ name, v string }{{"badge", e.BadgeCode}, {"face", e.FaceID}, {"qr", e.QRToken}} {
		if p.v != "" {
			parts = append(parts, p.name+":"+p.v)
		}
	}
	if t := e.Terminal; t != nil {
		// A terminal's raw record: which terminal, the PIN, and the codes
		// the method was read from.
		parts = append(parts, fmt.Sprintf("terminal:%s pin:%s verify:%d status:%d", t.Serial, t.PIN, t.Verify, t.Status))
	}
	if e.NFCSerial != "" {
		parts = append(parts, "nfc:"+e.NFCSerial)
	}
	if e.NFCTag != "" {
		// The token is in the signed body; punchd checked it on arrival.
		parts = append(parts, "nfc-tag:signed")
	}
	if jpeg, err := base64.StdEncoding.DecodeString(e.Photo); err == nil && len(jpeg) > 0 {
		sum := sha256.Sum256(jpeg)
		parts = append(parts, "photo-sha256:"+hex.EncodeToString(sum[:]))
	}
	return strings.Join(parts, " ")
}

// punches writes one row per punch, accepted or rejected, of e's
// employees whose true time falls on one of e's days in the employee's
// site's zone: employees in id order, each's punches by time. A page's
// accepted punches come from dayrec with its records (whose punch uses
// hold the location verdicts); its rejected ones are read after it.
func (x *Exporter) punches(ctx context.Context, sw sheetWriter, o *org, e Export, r []cell) error {
	var page []punchRow
	where := map[string]rules.Verdict{}
	keep := func(p *store.StoredPunch) error {
		loc := o.zone[o.emp[p.EmployeeID].SiteID]
		if loc == nil {
			loc = time.UTC
		}
		if d := rules.DateOf(p.TrueTime.In(loc)); d < e.From || d > e.To {
			return nil
		}
		page = append(page, punchRow{id: p.ID, employee: p.EmployeeID, method: string(p.Method), direction: string(p.Direction),
			device: p.DeviceID, site: p.SiteID, status: p.Status, code: p.Code, flags: strings.Join(p.Flags, " "), hash: p.Hash, at: p.TrueTime,
			where: p.Location, evidence: evidenceOf(p.Evidence), place: cmp.Or(p.Evidence.Place, p.Evidence.Note)})
		return nil
	}
	done := func() error {
		ids := make([]string, 0, len(o.emp))
		for id := range o.emp {
			ids = append(ids, id)
		}
		err := x.Store.EachPunch(ctx, store.PunchFilter{EmployeeIDs: ids, Status: store.PunchRejected, NoEvidence: true,
			From: e.From.AddDays(-1).At(0, time.UTC), To: e.To.AddDays(2).At(0, time.UTC)}, keep)
		if err != nil {
			return err
		}
		slices.SortFunc(page, func(a, b punchRow) int {
			return cmp.Or(strings.Compare(a.employee, b.employee), a.at.Compare(b.at), strings.Compare(a.id, b.id))
		})
		for i := range page {
			p := &page[i]
			loc := o.who(r, p.employee)
			r[3], r[4], r[5] = timeCell(wall(p.at, loc)), wordCell(p.method), wordCell(p.direction)
			r[6], r[7], r[8] = textCell(p.device), textCell(o.site[p.site]), wordCell(Word(o.lang, p.status))
			r[9], r[10], r[11] = wordCell(p.code), wordCell(p.flags), wordCell(string(where[p.id]))
			r[12], r[13] = wordCell(p.id), wordCell(p.hash)
			var at attendance.Location
			if p.where != nil {
				at = *p.where
			}
			// Degrees to 7 places (about a centimetre), metres to 0.1:
			// what a fix means, and what a spreadsheet shows whole.
			r[14], r[15] = realCell(round(at.Lat, 1e7), p.where != nil), realCell(round(at.Lng, 1e7), p.where != nil)
			r[16] = realCell(round(at.AccuracyM, 10), p.where != nil && at.AccuracyM > 0)
			r[17], r[18] = wordCell(p.evidence), textCell(p.place)
			if r[7].s == "" {
				r[7].s = p.site
			}
			if err := sw.Row(r); err != nil {
				return err
			}
		}
		page = page[:0]
		clear(where)
		return nil
	}
	return x.eachPage(ctx, o, e, dayrec.Sink{Punch: keep, Records: func(recs []rules.DayRecord) error {
		for i := range recs {
			for _, u := range recs[i].Punches {
				if u.Location != "" {
					where[u.ID] = u.Location
				}
			}
		}
		return nil
	}}, done)
}
