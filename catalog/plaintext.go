package catalog

import (
	"fmt"
	"reflect"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Plain-text fields (names, streets, cities, contact names, reasons) are
// text, not markup: front ends must escape them. They are refused when
// they hold what no person types and what fools a reader or a log: control
// characters (NUL, escape sequences, line breaks in a one-line field) and
// the Unicode bidirectional controls that reorder what is displayed
// (U+202E RIGHT-TO-LEFT OVERRIDE turns "exe.txt" into "txt.exe").

// bidiControl reports whether r reorders displayed text: the embeddings,
// overrides and isolates (U+202A–U+202E, U+2066–U+2069). The marks
// LRM/RLM/ALM only set a direction and are allowed.
func bidiControl(r rune) bool {
	return (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069)
}

// plainText checks one plain-text field.
func (v *validator) plainText(field, s string) {
	if !utf8.ValidString(s) {
		v.add(field, "encoding", "the text is not valid UTF-8")
		return
	}
	v.characters(field, s, "", " in plain text")
}

// characters refuses the first control character of s that is not in
// allowed, or the first bidirectional control; the rule for plain text
// and, allowing line breaks and tabs, for markup (validator.markup). It
// reports whether s passed; where ends the message.
func (v *validator) characters(field, s, allowed, where string) bool {
	for _, r := range s {
		switch {
		case unicode.IsControl(r) && !strings.ContainsRune(allowed, r):
			v.add(field, "characters", "control character U+%04X is not allowed%s", r, where)
			return false
		case bidiControl(r):
			v.add(field, "bidi", "bidirectional control U+%04X is not allowed: it reorders what readers see", r)
			return false
		}
	}
	return true
}

// plainFields checks every string field of a record, at any depth, as
// plain text: a field added later is covered without being listed.
// Localized texts (maps) are checked as markup by text instead. Field paths are
// the Go names in lower camel case, with indexes: addresses[0].street.
func (v *validator) plainFields(r Record) {
	v.plainValue("", reflect.ValueOf(r))
}

func (v *validator) plainValue(path string, x reflect.Value) {
	switch x.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !x.IsNil() {
			v.plainValue(path, x.Elem())
		}
	case reflect.String:
		v.plainText(path, x.String())
	case reflect.Slice, reflect.Array:
		for i := range x.Len() {
			v.plainValue(fmt.Sprintf("%s[%d]", path, i), x.Index(i))
		}
	case reflect.Struct:
		t := x.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			p := path
			if !f.Anonymous {
				p = joinPath(path, lowerFirst(f.Name))
			}
			v.plainValue(p, x.Field(i))
		}
	}
}

func joinPath(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

// lowerFirst turns a Go field name into the API's spelling: Street ->
// street, PostalCode -> postalCode, ID -> id.
func lowerFirst(s string) string {
	if s == strings.ToUpper(s) {
		return strings.ToLower(s)
	}
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToLower(r)) + s[n:]
}
