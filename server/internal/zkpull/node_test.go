package zkpull_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"punchclock/server/internal/zkpull/emulator"
	"punchclock/server/internal/zkpull/zkproto"
)

var npmClients = []string{"zkteco-js", "node-zklib"}

// zkClients is the node_modules folder make zkclients fills. Without Node or
// the clients the test skips, unless PUNCHCLOCK_REQUIRE_NODE is set (then it
// fails, as the webhook test does for its library).
func zkClients(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("PUNCHCLOCK_ZKCLIENTS")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "var", "npm", "zkclients")
	}
	dir, _ = filepath.Abs(filepath.Join(dir, "node_modules"))
	missing := ""
	if _, err := exec.LookPath("node"); err != nil {
		missing = "node is missing (apt-get install nodejs)"
	}
	for _, c := range npmClients {
		if _, err := os.Stat(filepath.Join(dir, c, "package.json")); err != nil {
			missing += " " + c + " is missing from " + dir + " (run make zkclients)"
		}
	}
	if missing != "" {
		if os.Getenv("PUNCHCLOCK_REQUIRE_NODE") != "" {
			t.Fatalf("PUNCHCLOCK_REQUIRE_NODE is set and %s", missing)
		}
		t.Skipf("the npm ZKTeco clients cannot run: %s", missing)
	}
	return dir
}

// nodeRead is what testdata/read.js prints.
type nodeRead struct {
	Info struct {
		UserCounts int `json:"userCounts"`
		LogCounts  int `json:"logCounts"`
	} `json:"info"`
	Time  string `json:"time"`
	Users []struct {
		UID  uint16 `json:"uid"`
		PIN  string `json:"pin"`
		Name string `json:"name"`
		Card uint32 `json:"card"`
		Role uint8  `json:"role"`
	} `json:"users"`
	Records []flat `json:"records"`
}

func runNode(t *testing.T, modules, client, addr string) nodeRead {
	t.Helper()
	host, port, _ := strings.Cut(addr, ":")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", filepath.Join("testdata", "read.js"), client, modules, host, port)
	cmd.Env = append(os.Environ(), "TZ=UTC")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v\n%s\n%s", client, err, stdout.String(), stderr.String())
	}
	sc := bufio.NewScanner(&stdout)
	sc.Buffer(nil, 64<<20)
	for sc.Scan() {
		if line, ok := strings.CutPrefix(sc.Text(), "ZKPULL_RESULT "); ok {
			var out nodeRead
			if err := json.Unmarshal([]byte(line), &out); err != nil {
				t.Fatalf("%s: %v: %.300s ... %.300s", client, err, line, stderr.String())
			}
			return out
		}
	}
	t.Fatalf("%s printed no result:\n%s\n%s", client, stdout.String(), stderr.String())
	return nodeRead{}
}

// TestNpmClientsReadWhatTheCollectorReads is issue 15's check against an
// independent implementation: zkteco-js and node-zklib read the Go emulator's
// users, clock and a 3,500-record log (three chunks of the prepared buffer),
// and each reads the same records, in the same order, as the collector and
// as the terminal holds them.
func TestNpmClientsReadWhatTheCollectorReads(t *testing.T) {
	modules := zkClients(t)
	want := fixtureRecords(3500)
	term := startTerminal(t, emulator.Config{Serial: "CQZ7232460123", Users: fixtureUsers, Records: want, Pace: 250 * time.Millisecond})

	_, goUsers, goRecs, goTime := readAll(t, term.Addr())
	sameRecords(t, "the collector", flatten(goRecs), flatten(want))
	if !goTime.Equal(terminalClock) {
		t.Errorf("the collector read the clock %v, want %v", goTime, terminalClock)
	}
	if len(goUsers) != len(fixtureUsers) {
		t.Errorf("the collector read %d users, want %d", len(goUsers), len(fixtureUsers))
	}

	for _, client := range npmClients {
		got := runNode(t, modules, client, term.Addr())
		mine := flatten(goRecs)
		if client == "node-zklib" { // it decodes neither verify mode nor state
			for i := range mine {
				mine[i].Verify, mine[i].State = -1, -1
			}
		}
		sameRecords(t, client, got.Records, mine)
		if got.Time != terminalClock.Format(naive) {
			t.Errorf("%s read the clock %s, want %s", client, got.Time, terminalClock.Format(naive))
		}
		if got.Info.LogCounts != len(want) || got.Info.UserCounts != len(fixtureUsers) {
			t.Errorf("%s read sizes %+v", client, got.Info)
		}
		if len(got.Users) != len(goUsers) {
			t.Fatalf("%s read %d users, the collector %d", client, len(got.Users), len(goUsers))
		}
		for i, u := range got.Users {
			g := goUsers[i]
			if u.UID != g.UID || u.PIN != g.PIN || u.Name != g.Name || u.Card != g.Card || u.Role != g.Privilege {
				t.Errorf("%s user %d: %+v, the collector %+v", client, i, u, g)
			}
		}
	}
	// Each client connected, read through the prepared buffer in chunks and
	// said goodbye: three sessions of the collector's sequence at least.
	counts := map[uint16]int{}
	for _, cmd := range term.Commands() {
		counts[cmd]++
	}
	if counts[zkproto.CmdConnect] != 3 || counts[zkproto.CmdExit] != 3 || counts[zkproto.CmdDataRdy] < 3*4 {
		t.Errorf("commands received: connect %d, exit %d, chunk reads %d", counts[zkproto.CmdConnect], counts[zkproto.CmdExit], counts[zkproto.CmdDataRdy])
	}
}
