package zkproto

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strconv"
	"time"
)

// EncodeTime is zkemsdk's EncodeTime of t's wall-clock fields (its zone is
// ignored: terminals keep naive local time):
//
//	((year%100)*12*31 + (month-1)*31 + day-1) * 86400 + (hour*60+minute)*60 + second
func EncodeTime(t time.Time) uint32 {
	y, m, d := t.Date()
	h, mi, s := t.Clock()
	return uint32(((y%100)*12*31+(int(m)-1)*31+d-1)*86400 + (h*60+mi)*60 + s)
}

// DecodeTime is zkemsdk's DecodeTime: the wall-clock time v encodes, in
// time.UTC standing for the terminal's own zone. The encoding has room for
// days that do not exist (February 31); those are ErrMalformed rather than
// silently moved to March.
func DecodeTime(v uint32) (time.Time, error) {
	s := int(v % 60)
	v /= 60
	mi := int(v % 60)
	v /= 60
	h := int(v % 24)
	v /= 24
	d := int(v%31) + 1
	v /= 31
	m := time.Month(v%12) + 1
	y := int(v/12) + 2000
	t := time.Date(y, m, d, h, mi, s, 0, time.UTC)
	if t.Day() != d {
		return time.Time{}, fmt.Errorf("%w: time %d-%02d-%02d does not exist", ErrMalformed, y, m, d)
	}
	return t, nil
}

// Attendance is one record of the terminal's attendance log (ATTLOG).
type Attendance struct {
	UID    uint16    // the terminal's internal user index (0 in the 16-byte layout)
	PIN    string    // the user id typed on or enrolled in the terminal
	Time   time.Time // naive local time of the terminal, carried in time.UTC
	Verify uint8     // how the user was verified: 0 password, 1 fingerprint, 2 card, 15 face, ...
	State  uint8     // the in/out state key: 0 check-in, 1 check-out, 2 break-out, 3 break-in, 4 overtime-in, 5 overtime-out
	Raw    []byte    // the record as the terminal sent it
}

// Record layouts: bytes per attendance record.
const (
	AttSize40 = 40 // TCP firmware (ZK8): uid, 24-byte user id, verify, time, state, 8 reserved
	AttSize16 = 16 // older firmware: 32-bit user id, time, verify, state, 2 reserved, work code
	AttSize8  = 8  // oldest firmware: uid, verify, time, state (user id through the user table)
)

// EncodeAttendance is a in the given layout (40, 16 or 8 bytes). The 16-byte
// layout needs a numeric PIN; the 8-byte one has none (only the UID).
func EncodeAttendance(a Attendance, size int) ([]byte, error) {
	b := make([]byte, size)
	switch size {
	case AttSize40:
		if len(a.PIN) > 23 {
			return nil, fmt.Errorf("zkproto: PIN %q longer than 23 bytes", a.PIN)
		}
		binary.LittleEndian.PutUint16(b[0:], a.UID)
		copy(b[2:26], a.PIN)
		b[26] = a.Verify
		binary.LittleEndian.PutUint32(b[27:], EncodeTime(a.Time))
		b[31] = a.State
	case AttSize16:
		pin, err := strconv.ParseUint(a.PIN, 10, 32)
		if err != nil {
			return nil, fmt.Errorf("zkproto: the 16-byte layout needs a numeric PIN: %w", err)
		}
		binary.LittleEndian.PutUint32(b[0:], uint32(pin))
		binary.LittleEndian.PutUint32(b[4:], EncodeTime(a.Time))
		b[8] = a.Verify
		b[9] = a.State
	case AttSize8: // the PIN is the user table's, found by UID
		binary.LittleEndian.PutUint16(b[0:], a.UID)
		b[2] = a.Verify
		binary.LittleEndian.PutUint32(b[3:], EncodeTime(a.Time))
		b[7] = a.State
	default:
		return nil, fmt.Errorf("zkproto: no attendance layout of %d bytes", size)
	}
	return b, nil
}

// DecodeAttendance reads one record of the given layout (8, 16 or 40
// bytes, len(b) == size). In the 8-byte layout PIN is left empty: the caller
// finds it by UID in the user table.
func DecodeAttendance(b []byte, size int) (Attendance, error) {
	if len(b) != size {
		return Attendance{}, fmt.Errorf("%w: attendance record of %d bytes, want %d", ErrMalformed, len(b), size)
	}
	a := Attendance{Raw: append([]byte(nil), b...)}
	var tv uint32
	switch size {
	case AttSize40:
		a.UID = binary.LittleEndian.Uint16(b[0:])
		a.PIN = cString(b[2:26])
		a.Verify = b[26]
		tv = binary.LittleEndian.Uint32(b[27:])
		a.State = b[31]
	case AttSize16:
		a.PIN = strconv.FormatUint(uint64(binary.LittleEndian.Uint32(b[0:])), 10)
		tv = binary.LittleEndian.Uint32(b[4:])
		a.Verify = b[8]
		a.State = b[9]
	case AttSize8:
		a.UID = binary.LittleEndian.Uint16(b[0:])
		a.Verify = b[2]
		tv = binary.LittleEndian.Uint32(b[3:])
		a.State = b[7]
	default:
		return Attendance{}, fmt.Errorf("%w: no attendance layout of %d bytes", ErrMalformed, size)
	}
	t, err := DecodeTime(tv)
	if err != nil {
		return Attendance{}, err
	}
	a.Time = t
	return a, nil
}

// User is one entry of the terminal's user table.
type User struct {
	UID       uint16 // internal index
	Privilege uint8  // 0 user, 14 administrator
	Password  string
	Name      string
	Card      uint32
	PIN       string // the user id the attendance records carry
}

// User layouts: bytes per user.
const (
	UserSize72 = 72 // TCP firmware (ZK8)
	UserSize28 = 28 // older firmware (ZK6)
)

// EncodeUser is u in the given layout (72 or 28 bytes; 28 needs a numeric PIN).
func EncodeUser(u User, size int) ([]byte, error) {
	b := make([]byte, size)
	binary.LittleEndian.PutUint16(b[0:], u.UID)
	b[2] = u.Privilege
	switch size {
	case UserSize72:
		copy(b[3:11], u.Password)
		copy(b[11:35], u.Name)
		binary.LittleEndian.PutUint32(b[35:], u.Card)
		copy(b[48:72], u.PIN)
	case UserSize28:
		pin, err := strconv.ParseUint(u.PIN, 10, 32)
		if err != nil {
			return nil, fmt.Errorf("zkproto: the 28-byte layout needs a numeric PIN: %w", err)
		}
		copy(b[3:8], u.Password)
		copy(b[8:16], u.Name)
		binary.LittleEndian.PutUint32(b[16:], u.Card)
		binary.LittleEndian.PutUint32(b[24:], uint32(pin))
	default:
		return nil, fmt.Errorf("zkproto: no user layout of %d bytes", size)
	}
	return b, nil
}

// DecodeUser reads one user of the given layout (len(b) == size).
func DecodeUser(b []byte, size int) (User, error) {
	if len(b) != size {
		return User{}, fmt.Errorf("%w: user of %d bytes, want %d", ErrMalformed, len(b), size)
	}
	u := User{UID: binary.LittleEndian.Uint16(b[0:]), Privilege: b[2]}
	switch size {
	case UserSize72:
		u.Password = cString(b[3:11])
		u.Name = cString(b[11:35])
		u.Card = binary.LittleEndian.Uint32(b[35:])
		u.PIN = cString(b[48:72])
	case UserSize28:
		u.Password = cString(b[3:8])
		u.Name = cString(b[8:16])
		u.Card = binary.LittleEndian.Uint32(b[16:])
		u.PIN = strconv.FormatUint(uint64(binary.LittleEndian.Uint32(b[24:])), 10)
	default:
		return User{}, fmt.Errorf("%w: no user layout of %d bytes", ErrMalformed, size)
	}
	return u, nil
}

// cString is b up to its first NUL.
func cString(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}

// Sizes is what CmdGetFreeSizes answers: 20 int32 fields, then 3 more on
// face terminals (pyzk's read_sizes). The clients read users from field 4,
// records from field 8 and the record capacity from field 16.
type Sizes struct {
	Users, Fingers, Records, Cards         int32
	FingersCap, UsersCap, RecordsCap       int32
	FingersAvail, UsersAvail, RecordsAvail int32
	Faces, FacesCap                        int32
}

// SizesLen is the length of a CmdGetFreeSizes payload with the face fields.
const SizesLen = 92

// Encode is s as a CmdGetFreeSizes payload.
func (s Sizes) Encode() []byte {
	f := make([]int32, 23)
	f[4], f[6], f[8], f[12] = s.Users, s.Fingers, s.Records, s.Cards
	f[14], f[15], f[16] = s.FingersCap, s.UsersCap, s.RecordsCap
	f[17], f[18], f[19] = s.FingersAvail, s.UsersAvail, s.RecordsAvail
	f[20], f[22] = s.Faces, s.FacesCap
	b := make([]byte, 0, SizesLen)
	for _, v := range f {
		b = binary.LittleEndian.AppendUint32(b, uint32(v))
	}
	return b
}

// DecodeSizes reads a CmdGetFreeSizes payload (at least 80 bytes).
func DecodeSizes(b []byte) (Sizes, error) {
	if len(b) < 80 {
		return Sizes{}, fmt.Errorf("%w: sizes of %d bytes, want at least 80", ErrMalformed, len(b))
	}
	f := func(i int) int32 { return int32(binary.LittleEndian.Uint32(b[4*i:])) }
	s := Sizes{Users: f(4), Fingers: f(6), Records: f(8), Cards: f(12), FingersCap: f(14), UsersCap: f(15),
		RecordsCap: f(16), FingersAvail: f(17), UsersAvail: f(18), RecordsAvail: f(19)}
	if len(b) >= SizesLen {
		s.Faces, s.FacesCap = f(20), f(22)
	}
	return s, nil
}

// BufferRequest is the payload of CmdDataWRRQ asking for a table:
// pack('<bhii', 1, command, fct, ext) in pyzk; the npm clients send the same
// 11 bytes (01 0d 00 ... for ATTLOG, 01 09 00 05 ... for users).
func BufferRequest(command uint16, fct, ext int32) []byte {
	b := []byte{1}
	b = binary.LittleEndian.AppendUint16(b, command)
	b = binary.LittleEndian.AppendUint32(b, uint32(fct))
	return binary.LittleEndian.AppendUint32(b, uint32(ext))
}

// ParseBufferRequest reads a CmdDataWRRQ payload.
func ParseBufferRequest(b []byte) (command uint16, fct, ext int32, err error) {
	if len(b) < 11 || b[0] != 1 {
		return 0, 0, 0, fmt.Errorf("%w: buffer request % x", ErrMalformed, b)
	}
	return binary.LittleEndian.Uint16(b[1:]), int32(binary.LittleEndian.Uint32(b[3:])), int32(binary.LittleEndian.Uint32(b[7:])), nil
}

// ChunkRequest is the payload of CmdDataRdy: start and size of a chunk.
func ChunkRequest(start, size uint32) []byte {
	b := binary.LittleEndian.AppendUint32(nil, start)
	return binary.LittleEndian.AppendUint32(b, size)
}

// ParseChunkRequest reads a CmdDataRdy payload.
func ParseChunkRequest(b []byte) (start, size uint32, err error) {
	if len(b) < 8 {
		return 0, 0, fmt.Errorf("%w: chunk request % x", ErrMalformed, b)
	}
	return binary.LittleEndian.Uint32(b), binary.LittleEndian.Uint32(b[4:]), nil
}
