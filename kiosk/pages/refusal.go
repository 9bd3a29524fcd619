package pages

import (
	"context"
	"errors"

	"punchclock/app/wire"
	"punchclock/kiosk/outbox"
	"punchclock/kiosk/syncer"
)

// Refusals and errors in the viewer's language.
//
// A server refusal reaches a kiosk or a phone as a stable wire.Code and an
// English message written for logs and integrators (it may name a punch's
// id). Screens show the code's own text in the page's language, never the
// message; the manager's rejected list adds the code and keeps the
// message at hand as the cell's title. Errors of the device itself
// (storage, camera, a bug) are worded by kind, in the page's language too.

// refusalKey is the message key of a server refusal with code: the code's
// own text, or the text of its class for a code this build does not know
// (a newer server may add codes; see wire.Codes).
func refusalKey(code wire.Code) string {
	if key := "reject." + string(code); code != "" && messages[English][key] != "" {
		return key
	}
	return "reject.class." + codeClass(code)
}

// codeClass is the kind of a refusal: "retry" when the kiosk sends it
// again by itself (wire.Code.Retryable), "device" when the device is not
// trusted any more, "refused" otherwise (the server's final word).
func codeClass(code wire.Code) string {
	switch {
	case code.Retryable():
		return "retry"
	case code == wire.CodeUnauthorized:
		return "device"
	}
	return "refused"
}

// refusalText is a server refusal in l, by code.
func refusalText(l Lang, code wire.Code) string {
	return l.T(refusalKey(code))
}

// errorText says what went wrong in l, without the error's own words:
// a server's refusal by its code, an unreachable server, a full storage,
// anything else as a fault of this device.
func errorText(l Lang, err error) string {
	var werr *wire.Error
	switch {
	case err == nil:
		return ""
	case errors.Is(err, outbox.ErrQuota):
		return l.T("err.quota")
	case errors.Is(err, ErrUnreachable), errors.Is(err, ErrFaceUnreachable), errors.Is(err, syncer.ErrOffline), errors.Is(err, context.DeadlineExceeded):
		return l.T("err.unreachable")
	case errors.As(err, &werr):
		return refusalText(l, werr.Code)
	}
	return l.T("err.device")
}
