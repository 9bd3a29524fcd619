package store

import (
	"context"
	"errors"

	"punchclock/app/wire"
)

// Coded gives a store error its stable code, so every caller answers the
// same for the same failure: the sentinels become not_found, conflict,
// expired and invalid; an error that already has a code keeps it; the rest
// (the database down or busy) is transient. Callers that mean something
// more precise by a sentinel (an unknown device is unauthorized) test for
// it first.
func Coded(err error) error {
	var we *wire.Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &we):
		return err
	case errors.Is(err, ErrNotFound):
		return &wire.Error{Code: wire.CodeNotFound, Message: "not found", Err: err}
	case errors.Is(err, ErrConflict):
		return &wire.Error{Code: wire.CodeConflict, Message: "conflicts with stored data (a badge code already in use?)", Err: err}
	case errors.Is(err, ErrExpired):
		return &wire.Error{Code: wire.CodeExpired, Message: "expired", Err: err}
	case errors.Is(err, ErrInvalid):
		return &wire.Error{Code: wire.CodeInvalid, Message: "input the store cannot hold (text that is not UTF-8 or holds NUL?)", Err: err}
	case errors.Is(err, context.Canceled):
		return &wire.Error{Code: wire.CodeTransient, Message: "request cancelled", Err: err}
	}
	return &wire.Error{Code: wire.CodeTransient, Message: "storage unavailable", Err: err}
}
