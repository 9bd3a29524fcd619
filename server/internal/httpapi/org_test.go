package httpapi_test

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestSiteGeo: head office HR makes a site with its address, point, a
// polygon fence and networks, and reads it back as sent; a circle out of
// 50 to 5000 m, a two-vertex polygon and a bad network are refused with
// their field paths; HR of a unit and a manager may not write sites
// (refused naming nothing) but read them; the change is audited.
func TestSiteGeo(t *testing.T) {
	base, admin, _, _ := clockedServer(t)
	u := base + "/api/v1"
	web := flowPeople(t, base, admin)
	if st, b := do(t, "PUT", u+"/admin/users/u-hq", admin, []byte(`{"login":"hr-hq","role":"hr","unit":"*","password":"flow-password-1"}`), nil); st != 201 {
		t.Fatalf("head office HR: %d %s", st, b)
	}
	hq, hr, m2, e4 := web("hr-hq"), web("hr-retail"), web("m2"), web("e4")
	site := map[string]any{
		"id": "sz-futian", "name": "Shenzhen Futian 福田店", "zone": "Asia/Shanghai", "address": "福田区深南大道 1 号",
		"point":    map[string]float64{"lat": 22.54, "lng": 114.05},
		"fences":   []any{map[string]any{"polygon": []map[string]float64{{"lat": 22.541, "lng": 114.049}, {"lat": 22.541, "lng": 114.051}, {"lat": 22.539, "lng": 114.050}}}},
		"networks": []string{"203.0.113.0/24", "198.51.100.7"},
	}
	if st, body := hq.do("PUT", u+"/sites/sz-futian", site, true); st != 200 {
		t.Fatalf("head office HR puts a site: %d %s", st, body)
	}
	var list struct {
		Sites []struct {
			ID       string
			Address  string
			Point    struct{ Lat, Lng float64 }
			Fences   []struct{ Polygon []struct{ Lat, Lng float64 } }
			Networks []string
		}
	}
	st, body := m2.do("GET", u+"/sites", nil, false)
	if json.Unmarshal([]byte(body), &list); st != 200 || len(list.Sites) != 3 {
		t.Fatalf("a manager lists the sites: %d %s", st, body)
	}
	got := list.Sites[2]
	if got.ID != "sz-futian" || got.Address != "福田区深南大道 1 号" || got.Point.Lat != 22.54 || len(got.Fences) != 1 ||
		len(got.Fences[0].Polygon) != 3 || got.Fences[0].Polygon[2].Lng != 114.050 || strings.Join(got.Networks, " ") != "203.0.113.0/24 198.51.100.7" {
		t.Errorf("the site read back: %+v", got)
	}
	if st, body := e4.do("GET", u+"/sites", nil, false); st != 200 || strings.Contains(body, "sz-futian") {
		t.Errorf("an employee lists the sites: %d %s", st, body)
	}
	for _, c := range []struct {
		name  string
		edit  func(map[string]any)
		field string
	}{
		{"a 30 m circle", func(s map[string]any) {
			s["fences"] = []any{map[string]any{"center": map[string]float64{"lat": 22.54, "lng": 114.05}, "radius_m": 30}}
		}, "fences[0].radius_m"},
		{"a 6 km circle", func(s map[string]any) {
			s["fences"] = []any{map[string]any{"center": map[string]float64{"lat": 22.54, "lng": 114.05}, "radius_m": 6000}}
		}, "fences[0].radius_m"},
		{"two vertices", func(s map[string]any) {
			s["fences"] = []any{map[string]any{"polygon": []map[string]float64{{"lat": 22.541, "lng": 114.049}, {"lat": 22.541, "lng": 114.051}}}}
		}, "fences[0].polygon"},
		{"a bad network", func(s map[string]any) { s["networks"] = []string{"10.0.0.0/33"} }, "networks[0]"},
		{"a bad zone", func(s map[string]any) { s["zone"] = "Mars/Olympus" }, "time zone"},
	} {
		bad := map[string]any{}
		for k, v := range site {
			bad[k] = v
		}
		c.edit(bad)
		if st, body := hq.do("PUT", u+"/sites/sz-futian", bad, true); st != 400 || !strings.Contains(body, c.field) {
			t.Errorf("%s: %d %s, want invalid naming %s", c.name, st, body, c.field)
		}
	}
	for name, b := range map[string]*browser{"retail HR": hr, "a manager": m2, "an employee": e4} {
		if st, body := b.do("PUT", u+"/sites/sz-futian", site, true); st != 403 || strings.Contains(body, "sz-futian") {
			t.Errorf("%s puts a site: %d %s", name, st, body)
		}
	}
	var audit struct {
		Entries []struct{ Action, Target, Actor string }
	}
	do(t, "GET", u+"/admin/audit?limit=500", admin, nil, &audit)
	n := 0
	for _, e := range audit.Entries {
		if e.Action == "site.put" && e.Target == "sz-futian" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d site.put entries of sz-futian, want 1", n)
	}
}

// TestDepartmentScope: HR of the retail unit lists its unit's departments
// only, makes one under retail, renames its unit's root, and may neither
// make one elsewhere, move one out of its unit, nor touch another unit's;
// a manager lists their subtree and writes nothing; a cycle is refused;
// each change is audited in the unit.
func TestDepartmentScope(t *testing.T) {
	base, admin, _, _ := clockedServer(t)
	u := base + "/api/v1"
	web := flowPeople(t, base, admin)
	hr, m2 := web("hr-retail"), web("m2")
	ids := func(b *browser) string {
		t.Helper()
		var list struct{ Departments []struct{ ID string } }
		st, body := b.do("GET", u+"/departments", nil, false)
		if json.Unmarshal([]byte(body), &list); st != 200 {
			t.Fatalf("list departments: %d %s", st, body)
		}
		var out []string
		for _, d := range list.Departments {
			out = append(out, d.ID)
		}
		return strings.Join(out, " ")
	}
	if got := ids(hr); got != "retail" {
		t.Errorf("retail HR lists %q, want retail", got)
	}
	put := func(b *browser, id, name, parent string) (int, string) {
		t.Helper()
		return b.do("PUT", u+"/departments/"+id, map[string]string{"name": name, "parent_id": parent}, true)
	}
	if st, body := put(hr, "retail-east", "East stores 东区门店", "retail"); st != 200 {
		t.Fatalf("retail HR makes a department under retail: %d %s", st, body)
	}
	if st, body := put(hr, "retail", "Retail stores 门店", "hq"); st != 200 {
		t.Errorf("retail HR renames its unit: %d %s", st, body)
	}
	for _, c := range []struct{ what, id, parent string }{
		{"under another unit", "works-2", "works"},
		{"at the top", "top", ""},
		{"moving its own out", "retail-east", "works"},
		{"changing another unit's", "works", "hq"},
		{"moving its unit's root", "retail", "works"},
	} {
		if st, body := put(hr, c.id, "x", c.parent); st != 403 || strings.Contains(body, c.id) || strings.Contains(body, c.parent) && c.parent != "" {
			t.Errorf("retail HR %s: %d %s", c.what, st, body)
		}
	}
	if got := ids(m2); got != "retail retail-east" {
		t.Errorf("the retail manager lists %q", got)
	}
	if st, body := put(m2, "retail-west", "West", "retail"); st != 403 {
		t.Errorf("a manager makes a department: %d %s", st, body)
	}
	if st, body := do(t, "PUT", u+"/departments/retail", admin, []byte(`{"name":"Retail","parent_id":"retail-east"}`), nil); st != 400 || !strings.Contains(body, "cycle") {
		t.Errorf("a cycle: %d %s", st, body)
	}
	// Deleting: only what nothing refers to, within the unit, not its root.
	del := func(b *browser, id string) (int, string) {
		t.Helper()
		return b.do("DELETE", u+"/departments/"+id, nil, true)
	}
	if st, body := put(hr, "retail-tmp", "Temporary", "retail-east"); st != 200 {
		t.Fatalf("retail HR makes retail-tmp: %d %s", st, body)
	}
	if st, body := del(hr, "retail-east"); st != 409 {
		t.Errorf("retail HR deletes retail-east, the parent of retail-tmp: %d %s", st, body)
	}
	for _, c := range []struct {
		who  *browser
		id   string
		what string
	}{{hr, "works", "another unit's"}, {hr, "retail", "its unit's root"}, {hr, "nope", "one that does not exist"}, {m2, "retail-tmp", "(a manager) one in their subtree"}} {
		if st, body := del(c.who, c.id); st != 403 || strings.Contains(body, c.id) {
			t.Errorf("deleting %s: %d %s", c.what, st, body)
		}
	}
	if st, body := del(hr, "retail-tmp"); st != 204 {
		t.Errorf("retail HR deletes retail-tmp: %d %s", st, body)
	}
	if got := ids(hr); got != "retail retail-east" {
		t.Errorf("after the deletion retail HR lists %q", got)
	}
	if st, body := do(t, "DELETE", u+"/departments/works", admin, nil, nil); st != 409 || !strings.Contains(body, "employees") {
		t.Errorf("the workshop, with employees: %d %s", st, body)
	}
	var audit struct {
		Entries []struct{ Action, Target, Unit string }
	}
	st, body := hr.do("GET", u+"/admin/audit?limit=500", nil, false)
	json.Unmarshal([]byte(body), &audit)
	// retail-tmp's making is no longer in the unit's entries (it is
	// gone); its deletion is, by its parent.
	var got []string
	for _, e := range audit.Entries {
		if strings.HasPrefix(e.Action, "department.") {
			got = append(got, e.Action+" "+e.Target)
		}
	}
	if st != 200 || strings.Join(got, ", ") != "department.put retail-east, department.put retail, department.delete retail-tmp" {
		t.Errorf("retail HR reads department.put entries %q (%d)", got, st)
	}
}
