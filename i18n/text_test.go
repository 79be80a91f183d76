package i18n

import (
	"encoding/json"
	"slices"
	"testing"
)

func TestTextPick(t *testing.T) {
	tests := []struct {
		name         string
		text         Text
		lang         string
		want, actual string
		fallback     bool
	}{
		{"German", Bilingual("Hundesteuer", "Dog tax"), DE, "Hundesteuer", DE, false},
		{"English", Bilingual("Hundesteuer", "Dog tax"), EN, "Dog tax", EN, false},
		{"MissingEnglish", German("Hundesteuer"), EN, "Hundesteuer", DE, true},
		{"EmptyEnglish", Text{DE: {Value: "Hundesteuer"}, EN: {Value: ""}}, EN, "Hundesteuer", DE, true},
		{"OtherLanguage", Bilingual("Hundesteuer", "Dog tax"), "fr", "Hundesteuer", DE, true},
		{"Empty", Text{}, DE, "", DE, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, actual, fallback := tt.text.Pick(tt.lang)
			if v.Value != tt.want || actual != tt.actual || fallback != tt.fallback {
				t.Errorf("Pick(%q) = %q, %q, %v; want %q, %q, %v",
					tt.lang, v.Value, actual, fallback, tt.want, tt.actual, tt.fallback)
			}
		})
	}
}

func TestTextStale(t *testing.T) {
	tests := []struct {
		name string
		text Text
		lang string
		want bool
	}{
		{"Current", Text{DE: {Value: "a", ChangedAt: 5}, EN: {Value: "b", SourceRevision: 5}}, EN, false},
		{"GermanChangedLater", Text{DE: {Value: "a2", ChangedAt: 9}, EN: {Value: "b", SourceRevision: 5}}, EN, true},
		{"NoTranslation", Text{DE: {Value: "a", ChangedAt: 9}}, EN, false},
		{"GermanNeverStale", Text{DE: {Value: "a", ChangedAt: 9}}, DE, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.text.Stale(tt.lang); got != tt.want {
				t.Errorf("Stale(%q) = %v, want %v", tt.lang, got, tt.want)
			}
		})
	}
}

func TestTextLanguagesAndIsZero(t *testing.T) {
	tests := []struct {
		name   string
		text   Text
		langs  []string
		isZero bool
	}{
		{"Bilingual", Bilingual("Hundesteuer", "Dog tax"), []string{DE, EN}, false},
		{"GermanOnly", Bilingual("Hundesteuer", ""), []string{DE}, false},
		{"EmptyValues", Text{DE: {}, EN: {}}, nil, true},
		{"Nil", nil, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.text.Languages(); !slices.Equal(got, tt.langs) {
				t.Errorf("Languages() = %q, want %q", got, tt.langs)
			}
			if got := tt.text.IsZero(); got != tt.isZero {
				t.Errorf("IsZero() = %v, want %v", got, tt.isZero)
			}
		})
	}
}

// The JSON names are stored in bbolt and sent to peers; they must not change.
func TestTextJSON(t *testing.T) {
	text := Text{
		DE: {Value: "Hundesteuer", ChangedAt: 7},
		EN: {Value: "Dog tax", MachineTranslated: true, Translator: "deepl", ChangedAt: 8, SourceRevision: 7},
	}
	b, err := json.Marshal(text)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"de":{"v":"Hundesteuer","at":7},"en":{"v":"Dog tax","mt":true,"by":"deepl","at":8,"src":7}}`
	if got := string(b); got != want {
		t.Errorf("json = %s, want %s", got, want)
	}
}
