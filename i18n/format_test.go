package i18n

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestFormatMoney(t *testing.T) {
	tests := []struct {
		name   string
		cents  int64
		de, en string
	}{
		{"Whole", 2500, "25,00 €", "€25.00"},
		{"Cents", 1999, "19,99 €", "€19.99"},
		{"BelowOneEuro", 50, "0,50 €", "€0.50"},
		{"Zero", 0, "0,00 €", "€0.00"},
		{"Thousands", 150000, "1.500,00 €", "€1,500.00"},
		{"Millions", 150000000, "1.500.000,00 €", "€1,500,000.00"},
		{"Negative", -2500, "-25,00 €", "-€25.00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := FormatMoney(DE, tt.cents); got != tt.de {
				t.Errorf("FormatMoney(de, %d) = %q, want %q", tt.cents, got, tt.de)
			}
			if got := FormatMoney(EN, tt.cents); got != tt.en {
				t.Errorf("FormatMoney(en, %d) = %q, want %q", tt.cents, got, tt.en)
			}
		})
	}
}

// Front ends and tests compare bytes; x/text may use U+00A0 or U+202F.
func TestFormatMoneyPlainSpace(t *testing.T) {
	for _, s := range []string{FormatMoney(DE, 2500), FormatMoneyRange(DE, 2000, 6000)} {
		if strings.ContainsAny(s, "\u00a0\u202f") {
			t.Errorf("%q contains a non-breaking space, want U+0020", s)
		}
	}
}

func TestFormatMoneyRange(t *testing.T) {
	tests := []struct {
		name     string
		min, max int64
		de, en   string
	}{
		{"Range", 2000, 6000, "20,00 € – 60,00 €", "€20.00–€60.00"},
		{"FromZero", 0, 1500, "0,00 € – 15,00 €", "€0.00–€15.00"},
		{"Large", 100000, 150000000, "1.000,00 € – 1.500.000,00 €", "€1,000.00–€1,500,000.00"},
		{"EqualBounds", 2500, 2500, "25,00 €", "€25.00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := FormatMoneyRange(DE, tt.min, tt.max); got != tt.de {
				t.Errorf("FormatMoneyRange(de, %d, %d) = %q, want %q", tt.min, tt.max, got, tt.de)
			}
			if got := FormatMoneyRange(EN, tt.min, tt.max); got != tt.en {
				t.Errorf("FormatMoneyRange(en, %d, %d) = %q, want %q", tt.min, tt.max, got, tt.en)
			}
		})
	}
}

func TestFormatDate(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skipf("no time zone data: %v", err)
	}
	tests := []struct {
		name   string
		t      time.Time
		de, en string
	}{
		{"Example", time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC), "28.11.2026", "28 November 2026"},
		{"SingleDigits", time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC), "05.03.2026", "5 March 2026"},
		// 23:30 UTC on 31 December is already New Year in Berlin.
		{"CallersLocation", time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC).In(berlin), "01.01.2027", "1 January 2027"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := FormatDate(DE, tt.t); got != tt.de {
				t.Errorf("FormatDate(de, %v) = %q, want %q", tt.t, got, tt.de)
			}
			if got := FormatDate(EN, tt.t); got != tt.en {
				t.Errorf("FormatDate(en, %v) = %q, want %q", tt.t, got, tt.en)
			}
		})
	}
}

func TestFormatDuration(t *testing.T) {
	tests := []struct {
		name           string
		value, valueTo int
		unit           string
		de, en         string
	}{
		{"Plural", 4, 0, "WEEK", "4 Wochen", "4 weeks"},
		{"Singular", 1, 0, "WEEK", "1 Woche", "1 week"},
		{"Range", 2, 4, "WEEK", "2 bis 4 Wochen", "2 to 4 weeks"},
		{"RangeEndingInOne", 0, 1, "WEEK", "0 bis 1 Woche", "0 to 1 week"},
		{"EqualBounds", 3, 3, "DAY", "3 Tage", "3 days"},
		{"ValueToBelowValue", 3, 1, "DAY", "3 Tage", "3 days"},
		{"Zero", 0, 0, "DAY", "0 Tage", "0 days"},
		{"Minute", 1, 0, "MINUTE", "1 Minute", "1 minute"},
		{"Minutes", 30, 0, "MINUTE", "30 Minuten", "30 minutes"},
		{"Hours", 2, 0, "HOUR", "2 Stunden", "2 hours"},
		{"Day", 1, 0, "DAY", "1 Tag", "1 day"},
		{"Workdays", 10, 0, "WORKDAY", "10 Arbeitstage", "10 working days"},
		{"WorkdayRange", 5, 10, "WORKDAY", "5 bis 10 Arbeitstage", "5 to 10 working days"},
		{"Month", 1, 0, "MONTH", "1 Monat", "1 month"},
		{"Months", 6, 0, "MONTH", "6 Monate", "6 months"},
		{"Year", 1, 0, "YEAR", "1 Jahr", "1 year"},
		{"Years", 10, 0, "YEAR", "10 Jahre", "10 years"},
		{"UnknownUnit", 3, 0, "FORTNIGHT", "3 FORTNIGHT", "3 FORTNIGHT"},
		{"UnknownUnitRange", 1, 2, "FORTNIGHT", "1–2 FORTNIGHT", "1–2 FORTNIGHT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := FormatDuration(DE, tt.value, tt.valueTo, tt.unit); got != tt.de {
				t.Errorf("FormatDuration(de, %d, %d, %q) = %q, want %q", tt.value, tt.valueTo, tt.unit, got, tt.de)
			}
			if got := FormatDuration(EN, tt.value, tt.valueTo, tt.unit); got != tt.en {
				t.Errorf("FormatDuration(en, %d, %d, %q) = %q, want %q", tt.value, tt.valueTo, tt.unit, got, tt.en)
			}
		})
	}
}

// Every unit label has counted forms, so FormatDuration never prints a raw
// unit for a unit the labels offer.
func TestFormatDurationCoversUnitLabels(t *testing.T) {
	for _, k := range LabelKeys() {
		unit, ok := strings.CutPrefix(k, "unit.")
		if !ok {
			continue
		}
		if got := FormatDuration(EN, 2, 0, unit); strings.Contains(got, unit) {
			t.Errorf("FormatDuration(en, 2, 0, %q) = %q, want a translated unit", unit, got)
		}
	}
}

// weekdays returns one slot per day from..to (inclusive) with the same times.
func weekdays(from, to time.Weekday, open, close string) []Slot {
	var out []Slot
	for d := from; d <= to; d++ {
		out = append(out, Slot{d, open, close})
	}
	return out
}

func TestFormatOpeningHours(t *testing.T) {
	tests := []struct {
		name   string
		slots  []Slot
		de, en []string
	}{
		{
			name:  "WeekdaysAndOneAfternoon",
			slots: append(weekdays(time.Monday, time.Friday, "08:00", "12:00"), Slot{time.Thursday, "14:00", "18:00"}),
			de:    []string{"Mo–Fr 08:00–12:00", "Do 14:00–18:00"},
			en:    []string{"Mon–Fri 08:00–12:00", "Thu 14:00–18:00"},
		},
		{
			name:  "TwoSlotsOneDay",
			slots: []Slot{{time.Monday, "14:00", "16:00"}, {time.Monday, "08:00", "12:00"}},
			de:    []string{"Mo 08:00–12:00, 14:00–16:00"},
			en:    []string{"Mon 08:00–12:00, 14:00–16:00"},
		},
		{
			name: "TwoSlotsOnSameDays",
			slots: append(weekdays(time.Monday, time.Friday, "14:00", "16:00"),
				weekdays(time.Monday, time.Friday, "08:00", "12:00")...),
			de: []string{"Mo–Fr 08:00–12:00, 14:00–16:00"},
			en: []string{"Mon–Fri 08:00–12:00, 14:00–16:00"},
		},
		{
			name:  "GapInRun",
			slots: append(weekdays(time.Monday, time.Wednesday, "08:00", "12:00"), Slot{time.Friday, "08:00", "12:00"}),
			de:    []string{"Mo–Mi, Fr 08:00–12:00"},
			en:    []string{"Mon–Wed, Fri 08:00–12:00"},
		},
		{
			name:  "TwoDaysAreListed",
			slots: []Slot{{time.Sunday, "10:00", "12:00"}, {time.Saturday, "10:00", "12:00"}},
			de:    []string{"Sa, So 10:00–12:00"},
			en:    []string{"Sat, Sun 10:00–12:00"},
		},
		{
			name:  "WeekStartsMonday",
			slots: []Slot{{time.Sunday, "10:00", "12:00"}, {time.Monday, "08:00", "12:00"}},
			de:    []string{"Mo 08:00–12:00", "So 10:00–12:00"},
			en:    []string{"Mon 08:00–12:00", "Sun 10:00–12:00"},
		},
		{
			name:  "WholeWeek",
			slots: weekdays(time.Sunday, time.Saturday, "00:00", "24:00"),
			de:    []string{"Mo–So 00:00–24:00"},
			en:    []string{"Mon–Sun 00:00–24:00"},
		},
		{
			name:  "DuplicatesAndInvalidDayIgnored",
			slots: []Slot{{time.Tuesday, "08:00", "12:00"}, {time.Tuesday, "08:00", "12:00"}, {time.Weekday(9), "08:00", "12:00"}},
			de:    []string{"Di 08:00–12:00"},
			en:    []string{"Tue 08:00–12:00"},
		},
		{
			name:  "SameDayEarlierFirst",
			slots: []Slot{{time.Monday, "13:00", "15:00"}, {time.Monday, "08:00", "12:00"}, {time.Monday, "13:00", "15:00"}, {time.Tuesday, "13:00", "15:00"}},
			de:    []string{"Mo 08:00–12:00", "Mo, Di 13:00–15:00"},
			en:    []string{"Mon 08:00–12:00", "Mon, Tue 13:00–15:00"},
		},
		{name: "None", slots: nil, de: nil, en: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := FormatOpeningHours(DE, tt.slots); !slices.Equal(got, tt.de) {
				t.Errorf("FormatOpeningHours(de) = %q, want %q", got, tt.de)
			}
			if got := FormatOpeningHours(EN, tt.slots); !slices.Equal(got, tt.en) {
				t.Errorf("FormatOpeningHours(en) = %q, want %q", got, tt.en)
			}
		})
	}
}

// The printers are shared by all requests.
func TestFormatConcurrent(t *testing.T) {
	t.Parallel()
	for i := range 8 {
		t.Run("", func(t *testing.T) {
			t.Parallel()
			lang := Supported[i%2]
			want := map[string]string{DE: "1.500,00 € – 2.000,00 €", EN: "€1,500.00–€2,000.00"}[lang]
			for range 200 {
				if got := FormatMoneyRange(lang, 150000, 200000); got != want {
					t.Fatalf("FormatMoneyRange(%s) = %q, want %q", lang, got, want)
				}
			}
		})
	}
}

func BenchmarkFormatMoney(b *testing.B) {
	for b.Loop() {
		FormatMoney(DE, 150000)
	}
}
