package dayrec

import (
	"testing"

	"punchclock/app/attendance"
	"punchclock/app/rules"
)

// TestWithSiteGeo: a site's own fences and networks take the place of the
// rule set's entry for it; other entries stay, and the rule set given is
// not changed.
func TestWithSiteGeo(t *testing.T) {
	c := &attendance.LatLng{Lat: 31.2, Lng: 121.4}
	rs := rules.RuleSet{Sites: []rules.Site{{ID: "a", Networks: []string{"10.0.0.0/8"}}, {ID: "b", Networks: []string{"10.1.0.0/16"}}}}
	sites := []attendance.Site{
		{ID: "a", Fences: []attendance.Fence{{Center: c, RadiusM: 100}}},
		{ID: "c"}, // nothing of its own
	}
	got := withSiteGeo(rs, sites)
	if len(got.Sites) != 2 || got.Sites[0].ID != "a" || len(got.Sites[0].Fences) != 1 || len(got.Sites[0].Networks) != 0 || got.Sites[1].ID != "b" {
		t.Errorf("withSiteGeo = %+v", got.Sites)
	}
	if len(rs.Sites[0].Networks) != 1 || len(rs.Sites[0].Fences) != 0 {
		t.Errorf("the rule set given changed: %+v", rs.Sites)
	}
	if got := withSiteGeo(rs, sites[1:]); len(got.Sites) != 2 || got.Sites[0].Networks[0] != "10.0.0.0/8" {
		t.Errorf("without a site's own geography: %+v", got.Sites)
	}
}
