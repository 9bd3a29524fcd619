//go:build !(js && wasm)

package pages

import (
	"context"
	"errors"

	"punchclock/kiosk/outbox"
)

// OpenPhoneStore fails outside the browser: IndexedDB needs GOOS=js. Native
// tests make a PhoneEnv over memstore instead.
func OpenPhoneStore(context.Context) (outbox.Store, error) {
	return nil, errors.New("pages: the phone's IndexedDB needs the browser (GOOS=js)")
}
