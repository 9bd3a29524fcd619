package zkpull_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"punchclock/server/internal/zkpull"
	"punchclock/server/internal/zkpull/zkproto"
)

// scripted runs a terminal on the far end of a pipe: it answers CmdConnect
// properly (session 7), then writes tail whole while it reads and drops the
// requests, and hangs up (or, with hang, keeps the line open and silent).
func scripted(t testing.TB, tail []byte, hang bool) (net.Conn, func()) {
	near, far := net.Pipe()
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer far.Close()
		p, err := zkproto.Read(far)
		if err != nil {
			return
		}
		if _, err := far.Write(zkproto.Reply(zkproto.CmdAckOK, 7, p.Reply, nil).Frame()); err != nil {
			return
		}
		go io.Copy(io.Discard, far) // the requests after the connect
		if len(tail) > 0 {
			if _, err := far.Write(tail); err != nil {
				return
			}
		}
		if hang {
			<-stop
		}
	}()
	return near, func() { close(stop); <-done }
}

// transcript is a well-formed terminal's answers to the collector's
// Attendance after the connect: sizes, free, the buffer in one chunk, free.
func transcript() []byte {
	rec, _ := zkproto.EncodeAttendance(fixtureRecords(1)[0], 40)
	table := append([]byte{40, 0, 0, 0}, rec...)
	var b bytes.Buffer
	put := func(cmd, reply uint16, data []byte) { b.Write(zkproto.Reply(cmd, 7, reply, data).Frame()) }
	put(zkproto.CmdAckOK, 1, zkproto.Sizes{Records: 1}.Encode())
	put(zkproto.CmdAckOK, 2, nil)
	put(zkproto.CmdAckOK, 3, []byte{0, 44, 0, 0, 0})
	put(zkproto.CmdPrepareData, 4, []byte{44, 0, 0, 0, 0, 0, 0, 0})
	put(zkproto.CmdData, 4, table)
	put(zkproto.CmdAckOK, 4, nil)
	put(zkproto.CmdAckOK, 5, nil)
	return b.Bytes()
}

// TestMalformedReplies: every reply the collector cannot use is a clear
// error (ErrMalformed or ErrRefused), and a silent terminal a timeout.
func TestMalformedReplies(t *testing.T) {
	good := transcript()
	corrupt := func(at int, v byte) []byte {
		b := append([]byte(nil), good...)
		b[at] = v
		return b
	}
	frame := func(cmd, reply uint16, data []byte) []byte { return zkproto.Reply(cmd, 7, reply, data).Frame() }
	for _, tc := range []struct {
		name string
		tail []byte
		want error
	}{
		{"bad magic", corrupt(0, 0x51), zkproto.ErrMalformed},
		{"huge frame", corrupt(7, 0x40), zkproto.ErrMalformed},
		{"bad checksum", corrupt(10, good[10]^0xff), zkproto.ErrMalformed},
		{"wrong reply id", frame(zkproto.CmdAckOK, 9, zkproto.Sizes{}.Encode()), zkproto.ErrMalformed},
		{"short sizes", frame(zkproto.CmdAckOK, 1, []byte{1, 2}), zkproto.ErrMalformed},
		{"refused", frame(zkproto.CmdAckError, 1, nil), zkpull.ErrRefused},
		{"cut short", good[:len(good)-30], nil}, // and the line closed: any error
		{"huge buffer", append(append([]byte(nil), good[:124]...), // sizes, free
			frame(zkproto.CmdAckOK, 3, []byte{0, 0xff, 0xff, 0xff, 0x7f})...), zkproto.ErrMalformed},
		{"long chunk", append(append(append([]byte(nil), good[:156]...), // sizes, free, 44 bytes announced
			frame(zkproto.CmdPrepareData, 4, []byte{44, 0, 0, 0, 0, 0, 0, 0})...), frame(zkproto.CmdData, 4, make([]byte, 45))...), zkproto.ErrMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conn, stop := scripted(t, tc.tail, tc.want != nil)
			defer stop()
			ctx := context.Background()
			c, err := zkpull.Open(ctx, conn, time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.Attendance(ctx)
			if tc.want == nil && err == nil || tc.want != nil && !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
	t.Run("well formed", func(t *testing.T) {
		conn, stop := scripted(t, good, true)
		defer stop()
		c, err := zkpull.Open(context.Background(), conn, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if recs, err := c.Attendance(context.Background()); err != nil || len(recs) != 1 || recs[0].PIN != "1" {
			t.Fatalf("%+v %v", recs, err)
		}
	})
	t.Run("silent", func(t *testing.T) {
		conn, stop := scripted(t, nil, true)
		defer stop()
		c, err := zkpull.Open(context.Background(), conn, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		_, err = c.Attendance(ctx)
		var te interface{ Timeout() bool }
		if !errors.As(err, &te) || !te.Timeout() {
			t.Fatalf("a silent terminal: %v", err)
		}
	})
}

// FuzzCollectorReplies: whatever a terminal answers after the connect, the
// collector returns records or an error, never panics or hangs.
func FuzzCollectorReplies(f *testing.F) {
	good := transcript()
	f.Add(good)
	f.Add(good[:40])
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, tail []byte) {
		conn, stop := scripted(t, tail, false)
		defer stop()
		c, err := zkpull.Open(context.Background(), conn, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		recs, err := c.Attendance(context.Background())
		if err == nil && len(recs) > len(tail)/8 {
			t.Fatalf("%d records from %d bytes", len(recs), len(tail))
		}
	})
}
