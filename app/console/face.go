package console

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"punchclock/app/photo"
	"punchclock/app/wire"
)

// faceEnrol is the employee editor's face enrolment part, for HR and
// administrators (punchd decides: GET, POST and DELETE
// /api/v1/employees/{id}/face, asked of the employee's store's face
// service by punchd). The consent comes first: no photo is sent before
// the HR person ticks that the employee agreed. Each photo chosen (taken
// with the camera on a phone or tablet, uploaded on a desktop) is judged
// at once by a dry run and its verdict shown next to it; the accepted
// ones are enrolled with one button. Deletion on request after a
// confirmation. punchd audits both.
type faceEnrol struct {
	id     string // the employee
	name   string
	state  *wire.FaceState
	photos []facePhoto
	// reading counts the files still being read from the disk.
	reading int
	consent bool
	busy    bool
	asking  bool   // the deletion's confirmation is open
	done    string // "enrolled" or "deleted", after it
	err     string // a refusal's code
	detail  string
}

// facePhoto is a chosen photo and its verdict ("" while it is judged).
type facePhoto struct {
	name   string
	data   []byte
	result string
}

// The console redraws each photo in the browser before it is sent: at
// most faceSide pixels on its long side (a face of a fifth of the
// photo's width is then well over the face service's 80 pixels), turned
// as it was taken (a portrait photo from a phone is stored sideways with
// an EXIF note that dlib does not read), a JPEG whatever was chosen, and
// about 300 kB, so five fit punchd's bound easily. A file larger than
// maxFaceFile is not read.
const (
	faceSide    = 1600
	faceQuality = 0.92
	maxFaceFile = 40 << 20
)

// facePath is the route of employee id's face enrolment.
func facePath(id string) string { return "/api/v1/employees/" + url.PathEscape(id) + "/face" }

// load asks punchd for the enrolment state.
func (f *faceEnrol) load(c *Console, id, name string) {
	f.id, f.name = id, name
	var st wire.FaceState
	c.get(facePath(id), &st, func(err string) {
		if f.id != id {
			return
		}
		f.err = err
		if err == "" {
			f.state = &st
		}
	})
}

func (f *faceEnrol) onConsent(ctx app.Context, _ app.Event) {
	f.consent = ctx.JSSrc().Get("checked").Bool()
}

// onFiles redraws the files chosen (at most the room left of 5) and
// judges every photo again once they are all drawn.
func (f *faceEnrol) onFiles(c *Console) app.EventHandler {
	return func(ctx app.Context, _ app.Event) {
		files := ctx.JSSrc().Get("files")
		if !f.consent || !files.Truthy() {
			return
		}
		f.done, f.err = "", ""
		id := f.id
		for i := 0; i < files.Length() && len(f.photos) < wire.MaxFacePhotos; i++ {
			file := files.Index(i)
			n := len(f.photos)
			f.photos = append(f.photos, facePhoto{name: file.Get("name").String()})
			if file.Get("size").Int() > maxFaceFile {
				f.photos[n].result = "too_large"
				continue
			}
			f.reading++
			ctx.Async(func() {
				data, err := photo.Redraw(file, faceSide, faceQuality)
				ctx.Dispatch(func(app.Context) {
					if f.id != id || n >= len(f.photos) {
						return
					}
					if err != nil {
						f.photos[n].result = "bad_image" // the browser cannot draw it
					} else {
						f.photos[n].data = data
					}
					if f.reading--; f.reading == 0 {
						f.check(c)
					}
				})
			})
		}
		ctx.JSSrc().Set("value", "") // the same file may be chosen again
	}
}

// sendable are the photos read, by index.
func (f *faceEnrol) sendable(accepted bool) (idx []int, data [][]byte) {
	for i, p := range f.photos {
		if p.data != nil && (!accepted || p.result == "accepted") {
			idx, data = append(idx, i), append(data, p.data)
		}
	}
	return idx, data
}

// check judges every photo read (a dry run: nothing stored).
func (f *faceEnrol) check(c *Console) {
	idx, data := f.sendable(false)
	if len(data) == 0 {
		return
	}
	for _, i := range idx {
		f.photos[i].result = ""
	}
	f.post(c, true, idx, data)
}

// post sends photos data (the photos idx) for a dry run or the
// enrolment, and writes each verdict next to its photo.
func (f *faceEnrol) post(c *Console, dry bool, idx []int, data [][]byte) {
	ctx, a, id := c.ctx, c.api, f.id
	path := facePath(id)
	if dry {
		path += "?dry_run=true"
	}
	f.busy = true
	ctx.Async(func() {
		var out wire.FaceEnrollment
		err := a.call(context.Background(), http.MethodPost, path, wire.FaceEnrollRequest{Consent: true, Photos: data}, &out)
		ctx.Dispatch(func(app.Context) {
			if f.id != id {
				return
			}
			f.busy = false
			f.err, f.detail = code(err), detail(err)
			for k, p := range out.Photos {
				if k < len(idx) && idx[k] < len(f.photos) {
					f.photos[idx[k]].result = p.Result
				}
			}
			if ae, ok := err.(*apiError); ok {
				f.markRefused(ae, idx)
			}
			if err == nil && !dry {
				f.photos, f.done, f.consent = nil, "enrolled", false
				f.load(c, f.id, f.name)
			}
		})
	})
}

// markRefused puts an enrolment's refused photos ("photos[1]") next to
// them; the answer itself is then said by the photos, not as a refusal.
func (f *faceEnrol) markRefused(ae *apiError, idx []int) {
	for _, fp := range ae.Fields {
		k, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(fp.Field, "photos["), "]"))
		if err != nil || k >= len(idx) || idx[k] >= len(f.photos) {
			continue
		}
		f.photos[idx[k]].result = fp.Code
		f.err = ""
	}
}

func (f *faceEnrol) remove(ctx app.Context, _ app.Event) {
	i, err := strconv.Atoi(ctx.JSSrc().Get("dataset").Get("index").String())
	if err != nil || i >= len(f.photos) || f.busy || f.reading > 0 {
		return
	}
	f.photos = append(f.photos[:i], f.photos[i+1:]...)
}

// enroll sends the accepted photos with the consent.
func (f *faceEnrol) enroll(c *Console) app.EventHandler {
	return func(app.Context, app.Event) {
		idx, data := f.sendable(true)
		if !f.consent || len(data) == 0 || f.busy {
			return
		}
		f.post(c, false, idx, data)
	}
}

func (f *faceEnrol) ask(app.Context, app.Event)    { f.asking, f.done, f.err = true, "", "" }
func (f *faceEnrol) cancel(app.Context, app.Event) { f.asking = false }

// remove deletes the face data, once confirmed.
func (f *faceEnrol) erase(c *Console) app.EventHandler {
	return func(app.Context, app.Event) {
		if f.busy {
			return
		}
		ctx, a, id := c.ctx, c.api, f.id
		f.busy, f.asking = true, false
		ctx.Async(func() {
			var out wire.FaceDeletion
			err := a.call(context.Background(), http.MethodDelete, facePath(id), nil, &out)
			ctx.Dispatch(func(app.Context) {
				if f.id != id {
					return
				}
				f.busy, f.err, f.detail = false, code(err), detail(err)
				if err == nil {
					f.done = "deleted"
					f.load(c, f.id, f.name)
				}
			})
		})
	}
}
