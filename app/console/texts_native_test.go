//go:build !(js && wasm)

// The browser's tests (wasmbrowsertest) have no source files to read:
// this check runs natively.

package console

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestTextsUsed: every text the code asks for by a literal key, and by
// the keys it builds (sections, rule fields), exists: a missing one would
// show its key on the page.
func TestTextsUsed(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	used := map[string]bool{}
	lit := regexp.MustCompile(`\.(?:t|refusal)\("([^"]+)"[,)]`)
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range lit.FindAllStringSubmatch(string(src), -1) {
			used[m[1]] = true
		}
	}
	for _, s := range sections {
		used["nav."+s] = true
	}
	for _, f := range graceFields {
		used["rules."+f.key] = true
	}
	for _, f := range shiftFields { // built: the shift form's problems
		used["shifts.err."+f] = true
	}
	for _, k := range []string{"shifts.err.time", "shifts.err.number", "shifts.err.breaks", "rotations.err.unknown", "rotations.err.length", "org.made", "org.renamed", "org.moved", "org.deleted", "forbidden.org", "forbidden.sites", "org.none", "sites.none", "forbidden.employees", "employees.none", "forbidden.units", "units.none", "emp.err.required", "emp.err.taken", "import.code.required", "import.f.id"} { // built: orgView's messages, listState
		used[k] = true
	}
	for _, d := range weekdays { // built: the rules section's calendar, schedules and overtime
		used["weekly."+d] = true
	}
	for _, d := range dayTypes {
		used["overtime."+d] = true
	}
	for _, f := range assignFields { // built: the assignments' labels and problems
		used["assign.err."+f] = true
	}
	for _, f := range overrideFields {
		used["override.err."+f] = true
		used["override."+f] = true
	}
	for _, s := range assignScopes {
		used["assign.scope."+string(s)] = true
	}
	for _, k := range []string{"assign.from", "assign.to", "assign.anchor", "assign.err.date", "assign.err.employee"} {
		used[k] = true
	}
	for _, k := range matrixKinds {
		used["matrix.kind."+k] = true
	}
	for _, k := range []string{"matrix.op.add", "matrix.op.change", "matrix.op.remove", "forbidden.matrix", "matrix.none", "matrix.err.dept", "matrix.err.kind", "matrix.err.taken", "matrix.err.first", "matrix.err.gap", "matrix.err.approver"} {
		used[k] = true
	}
	for _, k := range []string{"sites.kind.polygon", "sites.kind.circle", "holidays.kind.holiday", "holidays.kind.workday", "holidays.err.date", "holidays.err.to", "holidays.err.kind", "weekly.err.shift", "rules.range"} {
		used[k] = true
	}
	for _, k := range []string{"checking", "accepted", "no_face", "many_faces", "face_too_small", "bad_image", "too_large", "not_same_person"} {
		used["face.photo."+k] = true // built: a photo's verdict
	}
	for _, k := range []string{"no_site", "no_service", "not_linked", "unreachable"} {
		used["face.svc."+k] = true // built: the face service's state
	}
	used["face.done.enrolled"], used["face.done.deleted"], used["face.needConsent"], used["face.full"], used["face.photosHint"] = true, true, true, true, true
	if len(used) < 40 {
		t.Fatalf("found only %d keys in the code: the pattern is out of date", len(used))
	}
	for key := range used {
		if _, ok := texts["en"][key]; !ok && !strings.HasPrefix(key, "err.") {
			t.Errorf("the code asks for %q, which has no text", key)
		}
	}
}
