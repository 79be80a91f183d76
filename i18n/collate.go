package i18n

import (
	"bytes"
	"slices"
	"sync"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
)

// collators pools German collators: a collate.Collator keeps iteration state
// between calls and is not safe for concurrent use, and building one per
// call costs more than the comparison.
var collators = sync.Pool{New: func() any { return collate.New(language.German) }}

// Compare compares a and b in German dictionary order (DIN 5007-1: umlauts
// sort with their base letter, ß with ss) and returns -1, 0 or +1.
// Strings that differ only in ways collation ignores compare equal.
func Compare(a, b string) int {
	c := collators.Get().(*collate.Collator)
	defer collators.Put(c)
	return c.CompareString(a, b)
}

// SortStrings sorts s in German order; see Compare. The sort is stable.
func SortStrings(s []string) {
	SortBy(s, func(x string) string { return x })
}

// SortBy sorts s in German order of key(x); see Compare. The sort is stable,
// and key is called once per element: each key becomes a collation sort key
// up front, so the sort compares bytes instead of re-collating strings.
func SortBy[T any](s []T, key func(T) string) {
	if len(s) < 2 {
		return
	}
	c := collators.Get().(*collate.Collator)
	defer collators.Put(c)
	type keyed struct {
		k []byte
		v T
	}
	var buf collate.Buffer
	ks := make([]keyed, len(s))
	for i, v := range s {
		// Keys alias buf; it only grows, so earlier keys stay valid.
		ks[i] = keyed{c.KeyFromString(&buf, key(v)), v}
	}
	slices.SortStableFunc(ks, func(a, b keyed) int { return bytes.Compare(a.k, b.k) })
	for i := range ks {
		s[i] = ks[i].v
	}
}

// SortKey returns the German collation key of s: comparing keys bytewise
// orders their strings as Compare does, so an index keyed by it keeps
// German order (Ä with A) without collating at read time.
func SortKey(s string) []byte {
	c := collators.Get().(*collate.Collator)
	defer collators.Put(c)
	var buf collate.Buffer
	return bytes.Clone(c.KeyFromString(&buf, s))
}
