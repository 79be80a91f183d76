package i18n

import (
	"slices"
	"strings"
	"testing"
)

// requiredKeys are the label keys other packages and front ends rely on.
var requiredKeys = []string{
	"module.02", "module.03", "module.05", "module.06", "module.07", "module.08",
	"module.09", "module.10", "module.11", "module.12", "module.13", "module.14",
	"module.15", "module.16", "module.18", "module.22", "module.23", "module.24",
	"module.25",
	"fee.FIXED", "fee.RANGE", "fee.FREE",
	"deadline.APPLICATION", "deadline.REDRESS", "deadline.VALIDITY", "deadline.OTHER",
	"unit.MINUTE", "unit.HOUR", "unit.DAY", "unit.WORKDAY", "unit.WEEK", "unit.MONTH", "unit.YEAR",
	"address.VISITOR", "address.POSTAL", "address.POBOX", "address.DELIVERY",
	"channel.PHONE", "channel.FAX", "channel.EMAIL", "channel.WEB",
	"weekday.MONDAY", "weekday.TUESDAY", "weekday.WEDNESDAY", "weekday.THURSDAY",
	"weekday.FRIDAY", "weekday.SATURDAY", "weekday.SUNDAY",
	"weekday.short.MONDAY", "weekday.short.TUESDAY", "weekday.short.WEDNESDAY",
	"weekday.short.THURSDAY", "weekday.short.FRIDAY", "weekday.short.SATURDAY",
	"weekday.short.SUNDAY",
	"addressee.CITIZEN", "addressee.BUSINESS", "addressee.ADMINISTRATION",
	"level.BUND", "level.LAND", "level.REGIERUNGSBEZIRK", "level.KREIS",
	"level.GEMEINDEVERBAND", "level.GEMEINDE",
	"role.STATE_EDITOR", "role.MUNICIPAL_EDITOR", "role.ADMIN", "role.PEER", "role.ANONYMOUS",
	"responsibility.RESPONSIBLE", "responsibility.CONTACT_POINT", "responsibility.UNIFORM_CONTACT",
	"status.DRAFT", "status.PUBLISHED", "status.ARCHIVED",
	"trust.LOW", "trust.SUBSTANTIAL", "trust.HIGH",
	"ident.EID", "ident.ELSTER", "ident.BUNDID_ACCOUNT", "ident.EU_EID", "ident.USERNAME_PASSWORD",
	"office.MUNICIPALITY", "office.DISTRICT", "office.STATE", "office.FEDERAL", "office.OTHER",
	"error.INVALID", "error.NOT_FOUND", "error.CONFLICT", "error.UNAUTHENTICATED",
	"error.FORBIDDEN", "error.INTERNAL", "error.RATE_LIMITED", "error.TIMEOUT",
	"typisation.1", "typisation.2", "typisation.3", "typisation.4", "typisation.5",
	"inherited.from", "fallback.notice", "opening.closed", "opening.byAppointment",
}

// sameInBothLanguages lists the module and error keys whose German term is
// itself English; every other one must be translated.
var sameInBothLanguages = map[string]bool{"module.24": true} // "Teaser"

func TestLabelKeysCoverRequired(t *testing.T) {
	keys := LabelKeys()
	for _, k := range requiredKeys {
		if _, found := slices.BinarySearch(keys, k); !found {
			t.Errorf("LabelKeys() lacks %q", k)
		}
	}
	if !slices.IsSorted(keys) {
		t.Errorf("LabelKeys() = %q, want sorted", keys)
	}
	if got, want := len(slices.Compact(slices.Clone(keys))), len(keys); got != want {
		t.Errorf("LabelKeys() has %d distinct keys, want %d: a key is defined twice", got, want)
	}
}

func TestLabelsComplete(t *testing.T) {
	for _, k := range LabelKeys() {
		de, en := Label(DE, k), Label(EN, k)
		if de == "" || de == k {
			t.Errorf("Label(de, %q) = %q, want a German label", k, de)
		}
		if en == "" || en == k {
			t.Errorf("Label(en, %q) = %q, want an English label", k, en)
		}
		mustDiffer := strings.HasPrefix(k, "module.") || strings.HasPrefix(k, "error.")
		if mustDiffer && !sameInBothLanguages[k] && de == en {
			t.Errorf("Label(%q) = %q in both languages, want a translation", k, de)
		}
	}
}

func TestLabel(t *testing.T) {
	tests := []struct {
		name, lang, key, want string
	}{
		{"ModuleDE", DE, "module.10", "Kosten"},
		{"ModuleEN", EN, "module.10", "Fees"},
		{"UmlautDE", DE, "module.15", "Weiterführende Informationen"},
		{"EnumDE", DE, "fee.FREE", "Gebührenfrei"},
		{"EnumEN", EN, "fee.FREE", "Free of charge"},
		{"ErrorDE", DE, "error.INVALID", "Die Eingabe ist ungültig."},
		{"ErrorEN", EN, "error.INVALID", "The input is invalid."},
		{"ShortWeekdayDE", DE, "weekday.short.THURSDAY", "Do"},
		{"ShortWeekdayEN", EN, "weekday.short.THURSDAY", "Thu"},
		{"TypisationDE", DE, "typisation.3", "Regelung Bund, Vollzug Land/Kommune"},
		{"FallbackNoticeEN", EN, "fallback.notice", "This text is only available in German."},
		{"IdentDE", DE, "ident.EID", "Online-Ausweis"},
		{"RegionalEnglish", "en-GB", "module.10", "Fees"},
		{"UpperCaseLang", "EN", "module.10", "Fees"},
		{"UnknownLangIsGerman", "fr", "module.10", "Kosten"},
		{"UnknownKey", EN, "module.99", "module.99"},
		{"FormatPatternIsNotALabel", DE, keyMoney, keyMoney},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Label(tt.lang, tt.key); got != tt.want {
				t.Errorf("Label(%q, %q) = %q, want %q", tt.lang, tt.key, got, tt.want)
			}
		})
	}
}

func TestLabelsMatchesLabel(t *testing.T) {
	for _, lang := range Supported {
		all := Labels(lang)
		if got, want := len(all), len(LabelKeys()); got != want {
			t.Errorf("len(Labels(%q)) = %d, want %d", lang, got, want)
		}
		for _, k := range LabelKeys() {
			if got, want := all[k], Label(lang, k); got != want {
				t.Errorf("Labels(%q)[%q] = %q, want %q", lang, k, got, want)
			}
		}
	}
}

func TestLabelsReturnsCopy(t *testing.T) {
	Labels(DE)["module.10"] = "changed"
	if got, want := Label(DE, "module.10"), "Kosten"; got != want {
		t.Errorf("after changing the map from Labels, Label = %q, want %q", got, want)
	}
	LabelKeys()[0] = "changed"
	if got := LabelKeys()[0]; got == "changed" {
		t.Errorf("after changing the slice from LabelKeys, LabelKeys()[0] = %q", got)
	}
}

// Labels are read back through message.Printer, which would expand a
// formatting verb in a label ("100 %"); this catches one.
func TestCatalogAgreesWithTable(t *testing.T) {
	for _, l := range labels {
		if got := printers[DE].Sprintf(l.key); got != l.de {
			t.Errorf("catalog de %q = %q, want %q", l.key, got, l.de)
		}
		if got := printers[EN].Sprintf(l.key); got != l.en {
			t.Errorf("catalog en %q = %q, want %q", l.key, got, l.en)
		}
	}
}
