package catalog

import "strings"

// Level is a step of the administrative hierarchy that region keys encode.
type Level string

const (
	LevelBund             Level = "BUND"
	LevelLand             Level = "LAND"
	LevelRegierungsbezirk Level = "REGIERUNGSBEZIRK"
	LevelKreis            Level = "KREIS"
	LevelGemeindeverband  Level = "GEMEINDEVERBAND"
	LevelGemeinde         Level = "GEMEINDE"
)

// Levels lists the levels from the most general to the most specific.
var Levels = []Level{LevelBund, LevelLand, LevelRegierungsbezirk, LevelKreis, LevelGemeindeverband, LevelGemeinde}

// Bund is the region key of the federation.
const Bund = "000000000000"

// ValidARS reports whether s has the form of a 12-digit region key
// (Amtlicher Regionalschlüssel): state 2 + administrative region 1 +
// district 2 + association 4 + municipality 3 digits.
func ValidARS(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// LevelOf returns the level a well-formed key names, read from which of its
// parts are zero. A district-free city ("066110000000", Kassel) reads as
// KREIS: it is both district and municipality, and its region record says so.
func LevelOf(ars string) Level {
	switch {
	case ars == Bund:
		return LevelBund
	case ars[2:] == "000000000":
		return LevelLand
	case ars[3:] == "000000000":
		return LevelRegierungsbezirk
	case ars[5:] == "0000000":
		return LevelKreis
	case ars[9:] == "000":
		return LevelGemeindeverband
	default:
		return LevelGemeinde
	}
}

// Ancestors returns the keys a lookup for ars walks, most specific first:
// the key itself, then association, district, administrative region, state
// and Bund, each once. Keys whose part is zero in ars are skipped, so a
// state-level key yields itself and Bund.
func Ancestors(ars string) []string {
	if !ValidARS(ars) {
		return nil
	}
	cuts := []int{12, 9, 5, 3, 2, 0}
	out := make([]string, 0, len(cuts))
	for _, n := range cuts {
		k := ars[:n] + strings.Repeat("0", 12-n)
		if len(out) == 0 || out[len(out)-1] != k {
			out = append(out, k)
		}
	}
	return out
}

// Contains reports whether region key prefix p (as stored in an editor's
// scope: "06636" for a district, a full key for a municipality) covers ars.
func Contains(scope, ars string) bool {
	return strings.HasPrefix(ars, TrimARS(scope))
}

// TrimARS removes the trailing zero groups of a key so that it can be used
// as a prefix: "066360000000" -> "06636", "000000000000" -> "".
func TrimARS(ars string) string {
	if !ValidARS(ars) {
		return ars
	}
	for _, n := range []int{0, 2, 3, 5, 9} {
		if ars[n:] == strings.Repeat("0", 12-n) {
			return ars[:n]
		}
	}
	return ars
}
