package main

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"punchclock/app/attendance"
	"punchclock/app/wire"
	"punchclock/server/internal/demo"
)

// TestSlowUploads is the memory attack: a thousand connections open 4 MiB
// uploads of punch batches and send all but the last byte, half of them
// from nobody (no device, or an unknown one), half naming the demo kiosk
// (its id is printed in every QR code it shows) with a forged signature,
// from a hundred client addresses. punchd must refuse what it cannot hold
// before reading it, keep its peak memory under 300 MB, and still take a
// real kiosk's batch meanwhile.
func TestSlowUploads(t *testing.T) {
	data := t.TempDir()
	p := startPunchd(t, []string{"-db", filepath.Join(data, "p.db"), "serve", "-demo", "-addr", "127.0.0.1:0", "-data", data, "-web", t.TempDir()})
	welcome := p.welcome(t)
	base := regexp.MustCompile(`serving on (http://\S+)`).FindStringSubmatch(welcome)
	code := regexp.MustCompile(`enroll a tablet with code (\S+)`).FindStringSubmatch(welcome)
	if base == nil || code == nil {
		t.Fatalf("punchd printed no address or enrollment code:\n%s", welcome)
	}
	host := strings.TrimPrefix(base[1], "http://")
	demoKiosk, err := os.ReadFile(filepath.Join(data, demo.KioskIDFile))
	if err != nil {
		t.Fatal(err)
	}
	kiosk := enrollKiosk(t, base[1], code[1])

	const conns, size = 1000, 4 << 20
	_, wrongKey, _ := ed25519.GenerateKey(nil)
	nobody := wire.SignRequest("dev-nobody", wrongKey, http.MethodPost, "/api/v1/device/punches", time.Now(), nil)
	forged := wire.SignRequest(strings.TrimSpace(string(demoKiosk)), wrongKey, http.MethodPost, "/api/v1/device/punches", time.Now(), nil)
	authOf := func(i int) string {
		switch i % 4 {
		case 0:
			return "" // no credentials at all
		case 1:
			return nobody
		default:
			return forged
		}
	}
	// Each upload ends up answered (its status line), dropped (punchd
	// closed the connection while the body was still coming) or held
	// (punchd reads it and waits for the last byte).
	type outcome struct {
		status string
		held   bool
	}
	settled := make(chan outcome, conns)
	stall := make(chan struct{})
	var wg sync.WaitGroup
	for i := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 1, byte(1+i%100))}, Timeout: 30 * time.Second}
			c, err := d.Dial("tcp", host)
			if err != nil {
				t.Errorf("dial %d: %v", i, err)
				settled <- outcome{status: "dial failed"}
				return
			}
			defer c.Close()
			head := fmt.Sprintf("POST /api/v1/device/punches HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n", host, size)
			if h := authOf(i); h != "" {
				head += "Authorization: " + h + "\r\n"
			}
			chunk := bytes.Repeat([]byte{'['}, 64<<10)
			sent := -1
			if _, err := io.WriteString(c, head+"\r\n"); err == nil {
				// All but the last byte, for as long as punchd reads.
				for sent = 0; sent < size-1; {
					n := min(len(chunk), size-1-sent)
					c.SetWriteDeadline(time.Now().Add(5 * time.Second))
					if _, err := c.Write(chunk[:n]); err != nil {
						break
					}
					sent += n
				}
			}
			c.SetReadDeadline(time.Now().Add(3 * time.Second))
			line, err := bufio.NewReader(c).ReadString('\n')
			var ne net.Error
			switch {
			case err == nil:
				settled <- outcome{status: strings.TrimSpace(line)}
				return
			case sent == size-1 && errors.As(err, &ne) && ne.Timeout():
				settled <- outcome{held: true}
				<-stall
			default:
				settled <- outcome{status: "closed unread"}
			}
		}()
	}
	counts := map[string]int{}
	held := 0
	for range conns {
		o := <-settled
		if o.held {
			held++
		} else {
			counts[o.status]++
		}
	}
	t.Logf("of %d uploads punchd refused %v before reading them, and holds %d", conns, counts, held)
	if held == 0 || held > 8 {
		t.Errorf("punchd holds %d uploads, want 1 to 8 (its 32 MiB of large bodies)", held)
	}
	if counts["dial failed"] > 0 {
		t.Fatalf("%d connections failed", counts["dial failed"])
	}

	// A real kiosk's batch goes through meanwhile.
	if st := kiosk.send(t, base[1]); st != wire.StatusAccepted {
		t.Errorf("a real kiosk's batch during the attack: %s, want accepted", st)
	}
	peak := peakRSS(t, p.cmd.Process.Pid)
	t.Logf("punchd's peak resident memory: %d MB", peak>>20)
	if peak > 300<<20 {
		t.Errorf("punchd's peak resident memory %d MB, want under 300 MB", peak>>20)
	}
	close(stall)
	wg.Wait()
}

// testKiosk is a kiosk enrolled through the API, signing its batches.
type testKiosk struct {
	id    string
	key   ed25519.PrivateKey
	chain wire.Chain
}

// enrollKiosk enrolls a kiosk with an enrollment code.
func enrollKiosk(t *testing.T, base, code string) *testKiosk {
	t.Helper()
	pub, key, _ := ed25519.GenerateKey(nil)
	body, _ := json.Marshal(wire.EnrollRequest{Protocol: wire.ProtocolVersion, Code: code, PublicKey: pub, Name: "real kiosk", DeviceTime: time.Now()})
	resp, err := http.Post(base+"/api/v1/devices/enroll", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var er wire.EnrollResponse
	if err := json.NewDecoder(resp.Body).Decode(&er); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("enroll: %s %v", resp.Status, err)
	}
	return &testKiosk{id: er.DeviceID, key: key}
}

// send sends one signed badge punch of E004 made now and returns what
// punchd said of it.
func (k *testKiosk) send(t *testing.T, base string) string {
	t.Helper()
	now := time.Now().UTC()
	p := attendance.Punch{ID: uuid.Must(uuid.NewV7()).String(), EmployeeID: "E004", DeviceID: k.id, SiteID: "sh-jingan",
		Method: attendance.MethodBadge, DeviceTime: now, EstTime: now, Evidence: attendance.Evidence{BadgeCode: "PC-0004"}}
	sp, next, err := k.chain.Next(&p, k.key)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(wire.BatchRequest{Protocol: wire.ProtocolVersion, DeviceID: k.id, SentAt: now, Punches: []wire.SignedPunch{sp}})
	req, _ := http.NewRequest(http.MethodPost, base+"/api/v1/device/punches", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", wire.SignRequest(k.id, k.key, http.MethodPost, "/api/v1/device/punches", now, body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var br wire.BatchResponse
	if err := json.NewDecoder(resp.Body).Decode(&br); err != nil || resp.StatusCode != http.StatusOK || len(br.Results) != 1 {
		t.Fatalf("batch: %s %+v %v", resp.Status, br, err)
	}
	k.chain = next
	return br.Results[0].Status
}

// peakRSS is a process's peak resident set size (VmHWM), in bytes.
func peakRSS(t *testing.T, pid int) int64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`VmHWM:\s+(\d+) kB`).FindSubmatch(b)
	if m == nil {
		t.Fatalf("no VmHWM in /proc/%d/status", pid)
	}
	kb, _ := strconv.ParseInt(string(m[1]), 10, 64)
	return kb << 10
}
