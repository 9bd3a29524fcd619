package httpapi

import (
	"errors"
	"net/http"
	"strings"

	"punchclock/app/wire"
	"punchclock/server/internal/store"
)

// batchEnvelopeDepth is how deep a batch's own JSON goes: the batch
// object, its punches array, and each {body, sig}. The punch bodies below
// are judged one by one by the punch service, so a duplicated key in one
// refuses that punch (the kiosk parks it) rather than the whole batch
// (which the kiosk would send again forever).
const batchEnvelopeDepth = 3

// checkRequest refuses bad text in the path id and the query parameters
// before any handler reads them: text that is not UTF-8 or holds NUL, and
// control characters in ids (the path id and parameters named id or
// *_id). It answers invalid naming the parameter, where PostgreSQL would
// otherwise fail the query and the client read "storage unavailable".
func checkRequest(r *http.Request) error {
	if err := wire.CheckID("the path id", r.PathValue("id")); err != nil {
		return err
	}
	for name, values := range r.URL.Query() {
		if err := wire.CheckText("a query parameter name", name); err != nil {
			return err
		}
		check := wire.CheckText
		if name == "id" || strings.HasSuffix(name, "_id") {
			check = wire.CheckID
		}
		for _, v := range values {
			if err := check("query parameter "+name, v); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkBody checks a decoded JSON body: its bytes are UTF-8 and no object
// repeats a key (wire.CheckJSON), and every string of the decoded value is
// text the databases can store, ids without control characters
// (wire.CheckStrings).
func checkBody(body []byte, v any) error {
	depth := 0
	if _, ok := v.(*wire.BatchRequest); ok {
		depth = batchEnvelopeDepth
	}
	if err := wire.CheckJSON(body, depth); err != nil {
		return err
	}
	return wire.CheckStrings(v)
}

// codeSentinel gives a store sentinel that reached writeError without a
// code its code (an invalid argument is 400, not 500); any other error is
// left as it is.
func codeSentinel(err error) error {
	for _, sentinel := range []error{store.ErrNotFound, store.ErrConflict, store.ErrExpired, store.ErrInvalid} {
		if errors.Is(err, sentinel) {
			return store.Coded(err)
		}
	}
	return err
}
