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
	// Each upload is written (all but its last byte, or until punchd
	// closes it); then it waits for punchd's answer until the test ends.
	// At the end it is answered (its status line), dropped (punchd closed
	// it unanswered) or held (punchd was still reading it).
	var written, wg sync.WaitGroup
	var mu sync.Mutex
	var open []net.Conn
	counts := map[string]int{}
	count := func(what string) { mu.Lock(); counts[what]++; mu.Unlock() }
	for i := range conns {
		written.Add(1)
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 1, byte(1+i%100))}, Timeout: 30 * time.Second}
			c, err := d.Dial("tcp", host)
			if err != nil {
				t.Errorf("dial %d: %v", i, err)
				written.Done()
				return
			}
			mu.Lock()
			open = append(open, c)
			mu.Unlock()
			head := fmt.Sprintf("POST /api/v1/device/punches HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n", host, size)
			if h := authOf(i); h != "" {
				head += "Authorization: " + h + "\r\n"
			}
			chunk := bytes.Repeat([]byte{'['}, 64<<10)
			if _, err := io.WriteString(c, head+"\r\n"); err == nil {
				for sent := 0; sent < size-1; {
					n := min(len(chunk), size-1-sent)
					c.SetWriteDeadline(time.Now().Add(10 * time.Second))
					if _, err := c.Write(chunk[:n]); err != nil {
						break
					}
					sent += n
				}
			}
			written.Done()
			line, err := bufio.NewReader(c).ReadString('\n')
			switch {
			case err == nil:
				count(strings.TrimSpace(line))
			case errors.Is(err, net.ErrClosed):
				count("held") // closed by the test below, unanswered
			default:
				count("dropped")
			}
		}()
		if i%100 == 99 {
			written.Wait() // a hundred at a time, so the dials do not queue up
		}
	}
	written.Wait()

	// A real kiosk's batch goes through meanwhile.
	if st := kiosk.send(t, base[1]); st != wire.StatusAccepted {
		t.Errorf("a real kiosk's batch during the attack: %s, want accepted", st)
	}
	peak := peakRSS(t, p.cmd.Process.Pid)
	t.Logf("punchd's peak resident memory: %d MB", peak>>20)
	if peak > 300<<20 {
		t.Errorf("punchd's peak resident memory %d MB, want under 300 MB", peak>>20)
	}
	// Then the uploads are given up; each says how it ended.
	mu.Lock()
	for _, c := range open {
		c.Close()
	}
	mu.Unlock()
	wg.Wait()
	t.Logf("of %d slow uploads: %v", conns, counts)
	if counts["held"] > 16 || counts["HTTP/1.1 200 OK"] > 0 {
		t.Errorf("punchd held %d uploads at once (its pool of large bodies takes 8) and accepted %d", counts["held"], counts["HTTP/1.1 200 OK"])
	}
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
func peakRSS(t testing.TB, pid int) int64 {
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
