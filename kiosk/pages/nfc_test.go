package pages

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"strings"
	"testing"
	"time"

	"punchclock/app/attendance"
	"punchclock/app/nfctag"
)

// TestPunchNFC: a signed punchclock tag punches for the employee it names
// (known to the roster or not), checked offline with the pull's tag keys;
// copied to another tag, forged or blank it is refused and nothing is
// stored; a card known by its serial alone is a badge code.
func TestPunchNFC(t *testing.T) {
	clk := &clock{t: t0}
	srv := enrollServer(t, t0)
	env, _ := newEnv(t, clk)
	ctx := context.Background()
	if _, err := env.Enroll(ctx, srv.URL, "GOOD", "k"); err != nil {
		t.Fatal(err)
	}
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{5}, ed25519.SeedSize))
	other := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{6}, ed25519.SeedSize))
	st, err := env.Outbox.Pull(ctx)
	if err != nil {
		t.Fatal(err)
	}
	st.TagKeys = []string{nfctag.EncodeKey(key.Public().(ed25519.PublicKey))}
	st.Employees = append(st.Employees, attendance.Employee{ID: "E020", Name: "Card Only", BadgeCode: "04AABBCCDD", Active: true})
	if err := env.Outbox.SetPull(ctx, st); err != nil {
		t.Fatal(err)
	}
	sign := func(k ed25519.PrivateKey, emp, serial string) string {
		tok, err := nfctag.Sign(k, emp, serial, t0)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	const serial = "04:a2:1b:7c:11:22:33"
	tok := sign(key, "E004", serial)
	step := func() { clk.add(10 * time.Minute) } // past the dedup window

	if c := env.PunchNFC(ctx, serial, []string{"other text", tok}); c.Outcome != Recorded || c.Employee.ID != "E004" || c.Method != attendance.MethodNFC {
		t.Fatalf("signed tag: %+v", c)
	}
	step()
	for _, bad := range []struct {
		name, serial string
		texts        []string
		want         error
	}{
		{"copied to another tag", "04:a2:1b:7c:11:22:34", []string{tok}, nfctag.ErrSerial},
		{"signed by another key", serial, []string{sign(other, "E004", serial)}, nfctag.ErrKey},
		{"edited", serial, []string{tok[:40] + "A" + tok[41:]}, nil},
		{"blank", "", []string{"hello"}, ErrBlankTag},
	} {
		c := env.PunchNFC(ctx, bad.serial, bad.texts)
		if c.Outcome != BadTag || bad.want != nil && !errors.Is(c.Err, bad.want) {
			t.Errorf("%s: %+v, want BadTag %v", bad.name, c, bad.want)
		}
	}
	if c := env.PunchNFC(ctx, "", []string{sign(key, "E777", "")}); c.Outcome != UnknownBadge {
		t.Errorf("a tag of someone the roster does not hold yet: %+v", c)
	}
	if c := env.PunchNFC(ctx, "", []string{sign(key, "E009", "")}); c.Outcome != InactiveBadge || c.Employee.ID != "E009" {
		t.Errorf("the tag of someone who left: %+v", c)
	}
	if c := env.PunchNFC(ctx, "04:AA:BB:CC:DD", nil); c.Outcome != Recorded || c.Employee.ID != "E020" {
		t.Errorf("a card by its serial: %+v", c)
	}
	if c := env.PunchNFC(ctx, "04:00:00:00:01", nil); c.Outcome != UnknownBadge || c.Code != "0400000001" {
		t.Errorf("an unknown card: %+v", c)
	}

	es, err := env.Outbox.Pending(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range es {
		p := e.Punch
		tag := ""
		if p.Evidence.NFCTag != "" {
			tag = "tag"
		}
		got = append(got, strings.Join([]string{string(p.Method), p.EmployeeID, p.Evidence.BadgeCode, p.Evidence.NFCSerial, tag}, "/"))
	}
	want := "nfc/E004//04A21B7C112233/tag nfc/E777///tag nfc/E020/04AABBCCDD/04AABBCCDD/ nfc//0400000001/0400000001/"
	if strings.Join(got, " ") != want {
		t.Errorf("stored:\n%s\nwant\n%s", strings.Join(got, " "), want)
	}
	for _, e := range es {
		if err := e.Punch.Validate(); err != nil {
			t.Errorf("stored punch does not validate: %v", err)
		}
	}
}
