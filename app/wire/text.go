package wire

import (
	"fmt"
	"reflect"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxIDLen is the longest identifier accepted anywhere: far above every id
// punchclock makes (UUIDs, "dev-" + UUID, admin ids of at most 64
// characters), so only garbage is refused.
const MaxIDLen = 256

// CheckText refuses text a database cannot store faithfully: bytes that
// are not UTF-8 and the NUL character. PostgreSQL refuses both in text
// with an error that would otherwise read as "storage unavailable", and
// SQLite would store them, so the check is made before any query and
// answers invalid, naming field.
func CheckText(field, s string) error {
	if !utf8.ValidString(s) {
		return Errorf(CodeInvalid, "%s is not valid UTF-8", field)
	}
	if strings.IndexByte(s, 0) >= 0 {
		return Errorf(CodeInvalid, "%s contains a NUL character", field)
	}
	return nil
}

// CheckID is CheckText for identifiers, which additionally may not hold
// control characters (an id is never a line of text) nor be longer than
// MaxIDLen bytes. The empty id passes: whether one is required is the
// caller's business.
func CheckID(field, s string) error {
	if len(s) > MaxIDLen {
		return Errorf(CodeInvalid, "%s is longer than %d bytes", field, MaxIDLen)
	}
	if err := CheckText(field, s); err != nil {
		return err
	}
	if i := strings.IndexFunc(s, unicode.IsControl); i >= 0 {
		r, _ := utf8.DecodeRuneInString(s[i:])
		return Errorf(CodeInvalid, "%s contains the control character %U", field, r)
	}
	return nil
}

// CheckStrings walks a decoded value (structs, pointers, slices, maps,
// interfaces) and checks every string in it: with CheckID when its field
// is an identifier (JSON name "id" or ending in "_id" or "_ids"; without a
// JSON tag, a Go name ending in "ID" or "IDs"), with CheckText otherwise.
// Byte slices (base64 or raw JSON on the wire) and unexported fields are
// not text and are skipped. The error names the field by its JSON path,
// such as "field punches[2].device_id".
func CheckStrings(v any) error {
	return walkStrings(reflect.ValueOf(v), "", false)
}

func walkStrings(v reflect.Value, path string, isID bool) error {
	switch v.Kind() {
	case reflect.String:
		name := "field " + path
		if path == "" {
			name = "value"
		}
		if isID {
			return CheckID(name, v.String())
		}
		return CheckText(name, v.String())
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return walkStrings(v.Elem(), path, isID)
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			name, tagged, skip := jsonName(f)
			if skip {
				continue
			}
			if f.Anonymous && !tagged && f.Type.Kind() != reflect.String {
				// Embedded: its fields are the outer value's, as in JSON.
				if err := walkStrings(v.Field(i), path, false); err != nil {
					return err
				}
				continue
			}
			if err := walkStrings(v.Field(i), joinPath(path, name), idName(name, tagged)); err != nil {
				return err
			}
		}
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return nil
		}
		for i := range v.Len() {
			if err := walkStrings(v.Index(i), fmt.Sprintf("%s[%d]", path, i), isID); err != nil {
				return err
			}
		}
	case reflect.Map:
		iter := v.MapRange()
		for iter.Next() {
			k, sub := iter.Key(), path+"[…]"
			if k.Kind() == reflect.String {
				if err := CheckText("a key of field "+path, k.String()); err != nil {
					return err
				}
				sub = fmt.Sprintf("%s[%q]", path, k.String())
			}
			if err := walkStrings(iter.Value(), sub, false); err != nil {
				return err
			}
		}
	}
	return nil
}

// jsonName is the name a struct field has in JSON, whether a json tag gave
// it, and whether the field is not text at all (unexported or "-").
func jsonName(f reflect.StructField) (name string, tagged, skip bool) {
	if !f.IsExported() && !f.Anonymous {
		return "", false, true
	}
	tag, ok := f.Tag.Lookup("json")
	if tag == "-" {
		return "", false, true
	}
	name, _, _ = strings.Cut(tag, ",")
	if !ok || name == "" {
		return f.Name, false, false
	}
	return name, true, false
}

func idName(name string, tagged bool) bool {
	if tagged {
		return name == "id" || strings.HasSuffix(name, "_id") || strings.HasSuffix(name, "_ids")
	}
	return name == "ID" || strings.HasSuffix(name, "ID") || strings.HasSuffix(name, "IDs")
}

func joinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}
