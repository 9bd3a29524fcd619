package wire

import (
	"bytes"
	"encoding/json"
	"strings"
	"unicode/utf8"
)

// CheckJSON refuses what encoding/json would read without a word but
// another reader might read otherwise: bytes that are not UTF-8 (the
// decoder replaces them) and an object key given twice (the decoder keeps
// the last value). Keys are compared as the decoder matches them to
// fields, ignoring case, so {"seq":1,"SEQ":2} is a duplicate too. That
// matters most for signed punch bodies: they are evidence, stored byte for
// byte and read later by other programs, which must not see another punch
// than the server judged.
//
// Objects nested deeper than maxDepth (1 is the outermost value) are not
// looked into for duplicates; 0 looks everywhere. A batch checks its own
// envelope this way and leaves each punch body to be judged alone, so one
// bad punch is refused by itself rather than blocking the kiosk's queue.
// data should be JSON the caller has already decoded without error.
func CheckJSON(data []byte, maxDepth int) error {
	if !utf8.Valid(data) {
		return Errorf(CodeInvalid, "JSON is not valid UTF-8")
	}
	var stack []keySet // one per open object or array, outermost first
	for i := 0; i < len(data); i++ {
		switch data[i] {
		case '{':
			stack = append(stack, keySet{object: true, wantKey: true})
		case '[':
			stack = append(stack, keySet{})
		case '}', ']':
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		case ',':
			if n := len(stack); n > 0 && stack[n-1].object {
				stack[n-1].wantKey = true
			}
		case '"':
			end := stringEnd(data, i)
			if n := len(stack); n > 0 && stack[n-1].wantKey {
				top := &stack[n-1]
				top.wantKey = false
				if maxDepth <= 0 || n <= maxDepth {
					key := foldKey(data[i : end+1])
					if !top.add(key) {
						return Errorf(CodeInvalid, "JSON object has the key %q twice (keys match regardless of case)", key)
					}
				}
			}
			i = end
		}
	}
	return nil
}

// keySet is an open JSON object's keys so far (nothing for an array).
type keySet struct {
	object, wantKey bool
	few             []string
	many            map[string]bool // past a few keys, so a huge object stays linear
}

// add records key and reports whether it was new.
func (s *keySet) add(key string) bool {
	if s.many != nil {
		if s.many[key] {
			return false
		}
		s.many[key] = true
		return true
	}
	for _, k := range s.few {
		if k == key {
			return false
		}
	}
	s.few = append(s.few, key)
	if len(s.few) > 16 {
		s.many = make(map[string]bool, 2*len(s.few))
		for _, k := range s.few {
			s.many[k] = true
		}
		s.few = nil
	}
	return true
}

// stringEnd returns the index of the quote closing the string that opens
// at data[start] (len(data)-1 if it never closes).
func stringEnd(data []byte, start int) int {
	for i := start + 1; i < len(data); i++ {
		switch data[i] {
		case '\\':
			i++
		case '"':
			return i
		}
	}
	return len(data) - 1
}

// foldKey is a quoted key as the decoder compares it: unescaped, folded.
func foldKey(quoted []byte) string {
	if len(quoted) < 2 {
		return string(quoted) // an unterminated string: not JSON anyway
	}
	inner := quoted[1 : len(quoted)-1]
	if bytes.IndexByte(inner, '\\') < 0 && isASCII(inner) {
		return string(bytes.ToLower(inner))
	}
	var s string
	if err := json.Unmarshal(quoted, &s); err != nil {
		s = string(inner)
	}
	// Upper then lower folds the few letters (ſ, K) whose lower case alone
	// does not meet their ASCII twin, as the decoder's matching does.
	return strings.ToLower(strings.ToUpper(s))
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
