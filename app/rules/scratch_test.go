package rules

import (
	"hash/maphash"
	"slices"
	"testing"
)

// TestDayReasonsSameHash checks that a day whose reasons hash like an
// earlier, different list still gets its own reasons, found again the next
// time, and that the earlier list stays.
func TestDayReasonsSameHash(t *testing.T) {
	sc := newScratch()
	shared := sc.reason("shift", []string{"shift day ", "09:00–18:00"}, []string{"班次 day"})
	sc.add(shared)
	sc.addReason("on_time", []string{"on time: ", "08:55"}, []string{"准时"})
	other := []Reason{{Code: "rest_day", EN: "rest day", ZH: "休息日"}}
	h := maphash.Bytes(sc.seed, sc.day)
	sc.lists[h] = other // an earlier day, same hash

	want := []Reason{shared.Reason, {Code: "on_time", EN: "on time: 08:55", ZH: "准时"}}
	got := sc.dayReasons()
	if !slices.Equal(got, want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	sc.add(shared)
	sc.addReason("on_time", []string{"on time: 08:55"}, []string{"准", "时"})
	if again := sc.dayReasons(); &again[0] != &got[0] {
		t.Errorf("the same reasons again: %+v, not the first list", again)
	}
	if l := sc.lists[h]; &l[0] != &other[0] || len(sc.spill[h]) != 1 {
		t.Errorf("the earlier list was replaced: %+v, spill %+v", l, sc.spill[h])
	}
	if r := sc.dayReasons(); r != nil {
		t.Errorf("a day without reasons: %+v", r)
	}
}
