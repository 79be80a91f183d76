package i18n

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"golang.org/x/text/currency"
	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
	"golang.org/x/text/message/catalog"
	"golang.org/x/text/number"
)

// Keys of the formatting patterns in the message catalog. They are not
// labels: Labels and LabelKeys do not list them.
const (
	keyMoney         = "fmt.money"
	keyMoneyNegative = "fmt.money.negative"
	keyMoneyRange    = "fmt.money.range"
	keyDuration      = "fmt.duration."       // + unit
	keyDurationRange = "fmt.duration.range." // + unit
)

// durationUnit holds the counted forms of a time unit. The word is chosen by
// CLDR plural rules through x/text (plural.Selectf), not by comparing with 1.
type durationUnit struct{ unit, deOne, deOther, enOne, enOther string }

var durationUnits = []durationUnit{
	{"MINUTE", "Minute", "Minuten", "minute", "minutes"},
	{"HOUR", "Stunde", "Stunden", "hour", "hours"},
	{"DAY", "Tag", "Tage", "day", "days"},
	{"WORKDAY", "Arbeitstag", "Arbeitstage", "working day", "working days"},
	{"WEEK", "Woche", "Wochen", "week", "weeks"},
	{"MONTH", "Monat", "Monate", "month", "months"},
	{"YEAR", "Jahr", "Jahre", "year", "years"},
}

// setFormats adds the formatting patterns to the catalog.
//
// x/text's currency formatter prints "€ 25,00" in every locale (it does not
// apply the CLDR currency patterns "#,##0.00 ¤" for de and "¤#,##0.00" for
// en), so the patterns below place the symbol; x/text still formats the
// number (grouping, decimal separator) and supplies the symbol.
func setFormats(b *catalog.Builder) {
	must(b.SetString(language.German, keyMoney, "%[1]v %[2]v"))
	must(b.SetString(language.English, keyMoney, "%[2]v%[1]v"))
	must(b.SetString(language.German, keyMoneyNegative, "-%[1]v %[2]v"))
	must(b.SetString(language.English, keyMoneyNegative, "-%[2]v%[1]v"))
	// German spaces the dash between amounts that contain spaces; English
	// amounts have none, so the dash is unspaced (Duden, Chicago).
	must(b.SetString(language.German, keyMoneyRange, "%[1]s – %[2]s"))
	must(b.SetString(language.English, keyMoneyRange, "%[1]s–%[2]s"))

	for _, u := range durationUnits {
		for _, l := range []struct {
			tag                language.Tag
			one, other, single string
			rng                string
		}{
			{language.German, u.deOne, u.deOther, "%[1]d ${unit}", "%[1]d bis %[2]d ${unit}"},
			{language.English, u.enOne, u.enOther, "%[1]d ${unit}", "%[1]d to %[2]d ${unit}"},
		} {
			// The noun agrees with the last number: "1 Woche", "2 bis 4 Wochen".
			must(b.Set(l.tag, keyDuration+u.unit,
				catalog.Var("unit", plural.Selectf(1, "%d", plural.One, l.one, plural.Other, l.other)),
				catalog.String(l.single)))
			must(b.Set(l.tag, keyDurationRange+u.unit,
				catalog.Var("unit", plural.Selectf(2, "%d", plural.One, l.one, plural.Other, l.other)),
				catalog.String(l.rng)))
		}
	}
}

// FormatMoney formats an amount of euro cents: de "1.500.000,00 €",
// en "€1,500,000.00"; negative amounts "-25,00 €", "-€25.00". The space is
// U+0020. Amounts are exact up to 2^53 cents, far beyond any fee.
func FormatMoney(lang string, cents int64) string {
	key := keyMoney
	v := float64(cents) / 100
	if cents < 0 {
		key, v = keyMoneyNegative, -v
	}
	return printers[base(lang)].Sprintf(key,
		number.Decimal(v, number.Scale(2)), currency.Symbol(currency.EUR))
}

// FormatMoneyRange formats a fee range: de "20,00 € – 60,00 €",
// en "€20.00–€60.00". Equal bounds format as one amount.
func FormatMoneyRange(lang string, min, max int64) string {
	if min == max {
		return FormatMoney(lang, min)
	}
	return printers[base(lang)].Sprintf(keyMoneyRange, FormatMoney(lang, min), FormatMoney(lang, max))
}

// dateLayouts are the date formats of the portal. x/text has no date
// formatting, so these are time layouts; English month names come from the
// time package, which only knows English, and German needs none.
var dateLayouts = map[string]string{
	DE: "02.01.2006",     // 28.11.2026
	EN: "2 January 2006", // 28 November 2026
}

// FormatDate formats the calendar date of t in t's location:
// de "28.11.2026", en "28 November 2026".
func FormatDate(lang string, t time.Time) string {
	return t.Format(dateLayouts[base(lang)])
}

// FormatDuration formats a processing time or deadline: value of unit, or
// the range value to valueTo when valueTo is greater than value.
// de "1 Woche", "4 Wochen", "2 bis 4 Wochen"; en "1 week", "4 weeks",
// "2 to 4 weeks". unit is a unit.* value such as "WEEK"; an unknown unit is
// printed as given ("3 FORTNIGHT") so the gap is visible.
func FormatDuration(lang string, value, valueTo int, unit string) string {
	known := slices.ContainsFunc(durationUnits, func(u durationUnit) bool { return u.unit == unit })
	switch {
	case !known && valueTo > value:
		return fmt.Sprintf("%d–%d %s", value, valueTo, unit)
	case !known:
		return fmt.Sprintf("%d %s", value, unit)
	case valueTo > value:
		return printers[base(lang)].Sprintf(keyDurationRange+unit, value, valueTo)
	default:
		return printers[base(lang)].Sprintf(keyDuration+unit, value)
	}
}

// Slot is one opening interval on one weekday. Open and Close are "15:04"
// times and are printed as given.
type Slot struct {
	Day         time.Weekday
	Open, Close string
}

// weekdayNames are the weekday.* label suffixes indexed by time.Weekday.
var weekdayNames = [7]string{"SUNDAY", "MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY"}

// FormatOpeningHours renders weekly opening hours as lines for display,
// the week starting on Monday:
//
//	Mon–Fri 08:00–12:00, Thu 14:00–18:00  ->  "Mo–Fr 08:00–12:00", "Do 14:00–18:00"
//	Mon 08:00–12:00, Mon 14:00–16:00      ->  "Mo 08:00–12:00, 14:00–16:00"
//
// Each interval collects the days it applies to; intervals with the same
// days share a line. Runs of three or more consecutive days are written
// "Mo–Fr", shorter ones are listed ("Sa, So"). Lines are ordered by their
// first day, then by opening time. Duplicate slots and slots with an invalid
// Day are ignored; no slots give nil.
//
// x/text has no list or interval formatting, so the joins are plain Go.
func FormatOpeningHours(lang string, slots []Slot) []string {
	type interval struct{ open, close string }
	// Days are bits of a mask, bit 0 = Monday, so that masks compare in
	// week order and consecutive days are adjacent bits.
	days := map[interval]uint8{}
	for _, s := range slots {
		if s.Day < time.Sunday || s.Day > time.Saturday {
			continue
		}
		days[interval{s.Open, s.Close}] |= 1 << ((int(s.Day) + 6) % 7)
	}
	byDays := map[uint8][]interval{}
	for iv, mask := range days {
		byDays[mask] = append(byDays[mask], iv)
	}
	type line struct {
		mask      uint8
		intervals []interval
	}
	lines := make([]line, 0, len(byDays))
	for mask, ivs := range byDays {
		slices.SortFunc(ivs, func(a, b interval) int {
			return cmp.Or(cmp.Compare(a.open, b.open), cmp.Compare(a.close, b.close))
		})
		lines = append(lines, line{mask, ivs})
	}
	slices.SortFunc(lines, func(a, b line) int {
		return cmp.Or(
			cmp.Compare(firstDay(a.mask), firstDay(b.mask)),
			cmp.Compare(a.intervals[0].open, b.intervals[0].open),
			cmp.Compare(a.mask, b.mask))
	})

	if len(lines) == 0 {
		return nil
	}
	lang = base(lang)
	out := make([]string, len(lines))
	for i, l := range lines {
		times := make([]string, len(l.intervals))
		for j, iv := range l.intervals {
			times[j] = iv.open + "–" + iv.close
		}
		out[i] = dayRuns(lang, l.mask) + " " + strings.Join(times, ", ")
	}
	return out
}

// firstDay returns the Monday-based index of the lowest day in mask.
func firstDay(mask uint8) int {
	for i := range 7 {
		if mask&(1<<i) != 0 {
			return i
		}
	}
	return 7
}

// dayRuns writes the days of mask as short names, runs of three or more
// consecutive days as "Mo–Fr".
func dayRuns(lang string, mask uint8) string {
	short := func(i int) string {
		return Label(lang, "weekday.short."+weekdayNames[(i+1)%7])
	}
	var parts []string
	for i := 0; i < 7; {
		if mask&(1<<i) == 0 {
			i++
			continue
		}
		j := i
		for j+1 < 7 && mask&(1<<(j+1)) != 0 {
			j++
		}
		if j-i >= 2 {
			parts = append(parts, short(i)+"–"+short(j))
		} else {
			for k := i; k <= j; k++ {
				parts = append(parts, short(k))
			}
		}
		i = j + 1
	}
	return strings.Join(parts, ", ")
}
