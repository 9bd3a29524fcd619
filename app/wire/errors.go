package wire

import (
	"errors"
	"fmt"

	"punchclock/app/attendance"
)

// Code is a stable error code. Codes are never renumbered, renamed or
// removed; kiosks decide what to do with a punch from its code.
type Code string

// The error codes.
const (
	CodeInvalid      Code = "invalid"      // malformed or implausible input; do not retry
	CodeUnauthorized Code = "unauthorized" // unknown or revoked credential; stop and alert
	CodeForbidden    Code = "forbidden"    // authenticated but not allowed
	CodeNotFound     Code = "not_found"
	CodeConflict     Code = "conflict" // clashes with stored state (reused id, forked chain, used code)
	CodeExpired      Code = "expired"  // token or code past its time
	CodeTooLarge     Code = "too_large"
	CodeRateLimited  Code = "rate_limited"
	CodeTransient    Code = "transient" // try again later
	CodeInternal     Code = "internal"
	// CodeLivenessRequired: the face service refuses single frames and
	// wants the frames of a head turn at /api/v1/liveness.
	CodeLivenessRequired Code = "liveness_required"
	// CodeStale: a signed request's time is too far from the server's
	// (RequestWindow). The answer carries the server's time: the device
	// signs again with its clock corrected by it and resends at once.
	// Nothing is wrong with the device or its data.
	CodeStale Code = "stale"
)

// Codes lists every code, in the order they were introduced.
var Codes = []Code{CodeInvalid, CodeUnauthorized, CodeForbidden, CodeNotFound, CodeConflict,
	CodeExpired, CodeTooLarge, CodeRateLimited, CodeTransient, CodeInternal, CodeLivenessRequired, CodeStale}

// HTTPStatus is the one mapping from code to HTTP status.
func (c Code) HTTPStatus() int {
	switch c {
	case CodeInvalid:
		return 400
	case CodeUnauthorized, CodeStale:
		return 401
	case CodeForbidden:
		return 403
	case CodeNotFound:
		return 404
	case CodeConflict:
		return 409
	case CodeExpired:
		return 410
	case CodeTooLarge:
		return 413
	case CodeLivenessRequired:
		return 428
	case CodeRateLimited:
		return 429
	case CodeTransient:
		return 503
	default:
		return 500
	}
}

// Retryable reports whether a client should retry later with the same data.
func (c Code) Retryable() bool {
	return c == CodeTransient || c == CodeInternal || c == CodeRateLimited
}

// Error is an error with a stable code and a message for people.
type Error struct {
	Code    Code
	Message string
	// Fields name what is wrong with each field of an invalid request,
	// by stable code, so a page says it next to the field in its own
	// language (attendance.Employee.Problems and the server's checks).
	Fields []attendance.FieldProblem
	Err    error // the cause, if any; never shown to clients
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf makes an *Error with a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// CodeOf returns the code of err: the code of the first *Error in its chain,
// or CodeInternal.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}

// FieldsOf returns the field problems of the first *Error in err's chain.
func FieldsOf(err error) []attendance.FieldProblem {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}

// MessageOf returns the client-safe message of err.
func MessageOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}
