package memstore_test

import (
	"testing"

	"punchclock/kiosk/outbox"
	"punchclock/kiosk/outbox/memstore"
	"punchclock/kiosk/outbox/outboxtest"
)

func TestConformance(t *testing.T) {
	stores := map[string]*memstore.Store{}
	outboxtest.Run(t, func(t *testing.T, name string) outbox.Store {
		s, ok := stores[name]
		if ok {
			s = s.Reopen()
		} else {
			s = memstore.New()
		}
		stores[name] = s
		return s
	})
}
