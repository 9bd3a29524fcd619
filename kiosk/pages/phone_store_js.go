//go:build js && wasm

package pages

import (
	"context"

	"punchclock/kiosk/outbox"
	"punchclock/kiosk/outbox/idbstore"
)

// OpenPhoneStore opens the phone's IndexedDB database (PhoneDB), for the
// function wasm/main gives BootPhone.
func OpenPhoneStore(ctx context.Context) (outbox.Store, error) {
	return idbstore.Open(ctx, PhoneDB)
}
