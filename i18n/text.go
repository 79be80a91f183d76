package i18n

import "sort"

// Language codes the catalogue stores texts in. The portal network accepts
// only these two (XZUFI gateway rule); German is required and the fallback.
const (
	DE = "de"
	EN = "en"
)

// Supported lists the storable languages, German first.
var Supported = []string{DE, EN}

// Version is one language version of a text.
type Version struct {
	Value string `json:"v"`
	// MachineTranslated and Translator say how a translation was made.
	MachineTranslated bool   `json:"mt,omitempty"`
	Translator        string `json:"by,omitempty"`
	// ChangedAt is the change-log revision at which this version last changed.
	ChangedAt uint64 `json:"at,omitempty"`
	// SourceRevision is, for a translation, the ChangedAt of the German
	// version it was made from. When German changes later, the translation is
	// stale until an editor confirms or replaces it.
	SourceRevision uint64 `json:"src,omitempty"`
}

// Text is a localized text: one Version per language code.
type Text map[string]Version

// German returns a Text with only a German version.
func German(s string) Text { return Text{DE: {Value: s}} }

// Bilingual returns a Text with a German and, if en is not empty, an English version.
func Bilingual(de, en string) Text {
	t := Text{DE: {Value: de}}
	if en != "" {
		t[EN] = Version{Value: en}
	}
	return t
}

// Pick returns the version in lang, or the German one when lang is missing.
// fallback reports that the answer is not in the language asked for.
func (t Text) Pick(lang string) (v Version, actual string, fallback bool) {
	if v, ok := t[lang]; ok && v.Value != "" {
		return v, lang, false
	}
	return t[DE], DE, lang != DE
}

// String returns the German value; it keeps Text readable in logs and tests.
func (t Text) String() string { return t[DE].Value }

// IsZero reports whether no language has a value.
func (t Text) IsZero() bool {
	for _, v := range t {
		if v.Value != "" {
			return false
		}
	}
	return true
}

// Stale reports whether the version in lang was made from an older German
// text than the current one.
func (t Text) Stale(lang string) bool {
	if lang == DE {
		return false
	}
	v, ok := t[lang]
	if !ok || v.Value == "" {
		return false
	}
	return v.SourceRevision < t[DE].ChangedAt
}

// Languages returns the codes that have a value, sorted.
func (t Text) Languages() []string {
	var out []string
	for l, v := range t {
		if v.Value != "" {
			out = append(out, l)
		}
	}
	sort.Strings(out)
	return out
}
