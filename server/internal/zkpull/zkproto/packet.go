// Package zkproto is the wire format of the older ZKTeco "standalone SDK"
// protocol that fingerprint and face terminals serve on TCP (and UDP) port
// 4370: the pull protocol, where the reader is the client and the terminal
// the server (the newer PUSH/iclock protocol is the other way round).
//
// Both the collector (package zkpull) and the Go terminal emulator
// (zkpull/emulator) use it, so the two cannot drift apart; the npm clients
// zkteco-js and node-zklib, run against the emulator in zkpull's tests, are
// the independent check of what is written here.
//
// The format, as pyzk (fananimi/pyzk, zk/base.py), zkteco-js
// (coding-libs/zkteco-js, src/helper/utils.js) and node-zklib
// (caobo171/node-zklib, utils.js) implement it from the vendor's zkemsdk:
//
//	TCP frame:  50 50 82 7d | length uint32 LE (of what follows)
//	header:     command uint16 | checksum uint16 | session id uint16 | reply id uint16
//	payload:    command-specific bytes
//
// All integers are little endian. The checksum is the ones'-complement style
// sum of zkemsdk's MakeChecksum over the 8-byte header (checksum field zero)
// and the payload. The clients compute it over reply id r and then send r+1
// in the header (pyzk, zkteco-js and node-zklib all do, copied from zkemsdk),
// so a reader of requests accepts both; a terminal's replies echo the
// request's reply id and session id.
//
// What the npm clients send and expect over TCP (zkteco-js 1.7.2,
// node-zklib 1.3.0, the same code in two forks):
//
//   - connect: CmdConnect; the session id is read from the reply's header.
//   - counts: CmdGetFreeSizes; users at payload offset 16, records at 32,
//     record capacity at 64.
//   - time: zkteco-js's getTime sends CmdGetTime and decodes the payload's
//     first uint32; node-zklib has no time call (executeCmd(201) does it).
//   - users and attendance: CmdFreeData, then CmdDataWRRQ with the 11-byte
//     table request (01 09 00 05 ... for users, 01 0d 00 ... for ATTLOG). A
//     CmdData reply is the table itself; an AckOK (or CmdPrepareData) reply
//     gives the table's size at payload bytes 1..4, and the clients then
//     send all CmdDataRdy (start, size) requests of 65,472-byte chunks at
//     once and expect each chunk as CmdPrepareData (8-byte payload), CmdData,
//     AckOK; then CmdFreeData. The table is a uint32 byte count and the
//     records: always decoded as 72-byte users (PIN from bytes 48..56, 9
//     characters) and 40-byte records (PIN from bytes 2..10, verify mode at
//     26, time at 27, state at 31; node-zklib reads neither verify nor
//     state). Neither reads the 16- or 8-byte layouts of older firmware.
//   - goodbye: CmdExit, then the socket is closed.
package zkproto

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Commands and replies of the protocol (zkemsdk's names, CMD_ dropped).
const (
	CmdUserTempRRQ   = 9    // with FctUser: the user table (USERTEMP_RRQ)
	CmdOptionsRRQ    = 11   // read an option: "~SerialNumber" and the like
	CmdAttLogRRQ     = 13   // the attendance log table
	CmdClearAttLog   = 15   // not served by the collector
	CmdGetFreeSizes  = 50   // counts and capacities
	CmdGetTime       = 201  // the clock, encoded (see EncodeTime)
	CmdSetTime       = 202  // set the clock
	CmdRegEvent      = 500  // real-time events (not used by the collector)
	CmdConnect       = 1000 // open a session; the reply's session id is the session
	CmdExit          = 1001 // close the session
	CmdEnableDevice  = 1002
	CmdDisableDevice = 1003
	CmdGetVersion    = 1100 // firmware version text
	CmdAuth          = 1102 // comm key answer to AckUnauth (not supported)
	CmdPrepareData   = 1500 // "this many bytes follow" before a CmdData
	CmdData          = 1501 // data
	CmdFreeData      = 1502 // release the terminal's prepared buffer
	CmdDataWRRQ      = 1503 // prepare a table in a buffer (pyzk's _CMD_PREPARE_BUFFER)
	CmdDataRdy       = 1504 // read a chunk of the prepared buffer (pyzk's _CMD_READ_BUFFER)
	CmdAckOK         = 2000
	CmdAckError      = 2001
	CmdAckData       = 2002
	CmdAckUnauth     = 2005 // the terminal wants a comm key
	CmdAckUnknown    = 0xffff
)

// FctUser is the DataWRRQ function code of the user table with CmdUserTempRRQ.
const FctUser = 5

// MaxChunk is the largest chunk the clients ask for over TCP (0xffc0, so that
// a chunk with its headers still fits node-zklib's 16-bit length read).
const MaxChunk = 65472

// MaxFrame bounds the length field of a frame this package reads: a chunk
// and its header with room to spare. A larger length is ErrMalformed, not an
// allocation.
const MaxFrame = 1 << 20

// frameMagic opens every TCP frame.
var frameMagic = [4]byte{0x50, 0x50, 0x82, 0x7d}

// ErrMalformed is wrapped by every error about bytes that are not a packet.
var ErrMalformed = errors.New("zkproto: malformed packet")

// Packet is one command or reply.
type Packet struct {
	Command  uint16
	Checksum uint16
	Session  uint16
	Reply    uint16
	Data     []byte
}

// Checksum is zkemsdk's MakeChecksum over a header whose checksum field is
// zero and the payload: 16-bit little-endian words (an odd last byte added
// alone) summed modulo 65535, then 65534 minus the sum.
func Checksum(command, session, reply uint16, data []byte) uint16 {
	var h [8]byte
	binary.LittleEndian.PutUint16(h[0:], command)
	binary.LittleEndian.PutUint16(h[4:], session)
	binary.LittleEndian.PutUint16(h[6:], reply)
	sum := uint32(0)
	add := func(b []byte) {
		for i := 0; i < len(b); i += 2 {
			if i == len(b)-1 {
				sum += uint32(b[i])
			} else {
				sum += uint32(binary.LittleEndian.Uint16(b[i:]))
			}
			sum %= 0xffff
		}
	}
	add(h[:]) // 8 bytes: the payload's words line up as in one buffer
	add(data)
	return uint16(0xfffe - sum)
}

// PrevReply is the reply id a client computed a request's checksum over:
// the one before the id it sent, wrapping the way pyzk does (ids run 0..65534).
func PrevReply(r uint16) uint16 {
	if r == 0 {
		return 0xfffe
	}
	return r - 1
}

// NextReply is the reply id after r, wrapping like PrevReply.
func NextReply(r uint16) uint16 {
	if r >= 0xfffe {
		return 0
	}
	return r + 1
}

// ChecksumOK says whether p's checksum is right over its own header or, as
// clients send it, over the reply id before.
func (p Packet) ChecksumOK() bool {
	return p.Checksum == Checksum(p.Command, p.Session, p.Reply, p.Data) ||
		p.Checksum == Checksum(p.Command, p.Session, PrevReply(p.Reply), p.Data)
}

// Frame is p in its TCP frame, with p.Checksum as given.
func (p Packet) Frame() []byte {
	b := make([]byte, 16+len(p.Data))
	copy(b, frameMagic[:])
	binary.LittleEndian.PutUint32(b[4:], uint32(8+len(p.Data)))
	binary.LittleEndian.PutUint16(b[8:], p.Command)
	binary.LittleEndian.PutUint16(b[10:], p.Checksum)
	binary.LittleEndian.PutUint16(b[12:], p.Session)
	binary.LittleEndian.PutUint16(b[14:], p.Reply)
	copy(b[16:], p.Data)
	return b
}

// Reply is a terminal's reply: the checksum over its own header.
func Reply(command, session, reply uint16, data []byte) Packet {
	return Packet{Command: command, Checksum: Checksum(command, session, reply, data), Session: session, Reply: reply, Data: data}
}

// Request is a client's request the way zkemsdk, pyzk and the npm clients
// build it: the checksum over reply id prev, the header carrying the next id.
func Request(command, session, prev uint16, data []byte) Packet {
	return Packet{Command: command, Checksum: Checksum(command, session, prev, data), Session: session, Reply: NextReply(prev), Data: data}
}

// Parse reads one framed packet from the front of b and says how many bytes
// it took. Too few bytes for a whole frame is io.ErrUnexpectedEOF (read
// more); bytes that cannot be a frame are ErrMalformed. It never panics and
// does not check the checksum (see ChecksumOK).
func Parse(b []byte) (Packet, int, error) {
	if len(b) < 8 {
		return Packet{}, 0, io.ErrUnexpectedEOF
	}
	n, err := frameLength(b[:8])
	if err != nil {
		return Packet{}, 0, err
	}
	if len(b) < 8+n {
		return Packet{}, 0, io.ErrUnexpectedEOF
	}
	return header(b[8 : 8+n]), 8 + n, nil
}

// frameLength checks a frame's 8 first bytes and returns the length of
// what follows them.
func frameLength(top []byte) (int, error) {
	if [4]byte(top[:4]) != frameMagic {
		return 0, fmt.Errorf("%w: frame starts % x, want 50 50 82 7d", ErrMalformed, top[:4])
	}
	n := binary.LittleEndian.Uint32(top[4:])
	if n < 8 || n > MaxFrame {
		return 0, fmt.Errorf("%w: frame length %d outside 8..%d", ErrMalformed, n, MaxFrame)
	}
	return int(n), nil
}

// header splits a frame's body (at least 8 bytes) into a Packet.
func header(body []byte) Packet {
	return Packet{
		Command:  binary.LittleEndian.Uint16(body[0:]),
		Checksum: binary.LittleEndian.Uint16(body[2:]),
		Session:  binary.LittleEndian.Uint16(body[4:]),
		Reply:    binary.LittleEndian.Uint16(body[6:]),
		Data:     append([]byte(nil), body[8:]...),
	}
}

// Read reads one framed packet from r. A clean end of stream before the
// first byte is io.EOF; a frame cut short is io.ErrUnexpectedEOF; bytes
// that cannot be a frame are ErrMalformed.
func Read(r io.Reader) (Packet, error) {
	var top [8]byte
	if _, err := io.ReadFull(r, top[:]); err != nil {
		return Packet{}, err
	}
	n, err := frameLength(top[:])
	if err != nil {
		return Packet{}, err
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(r, body); err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return Packet{}, err
	}
	return header(body), nil
}
