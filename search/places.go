package search

import (
	"sort"
	"strings"
	"time"

	"github.com/leistungsfinder/leistungsfinder/catalog"
)

// placeTable recognises place names and postcodes in a query ("ummelden
// kassel", "hundesteuer 37269"). It is built from the region records and
// replaced whenever a region changes.
type placeTable struct {
	byName    map[string][]string // folded name words joined by " " -> region keys, best first
	maxWords  int
	postcodes map[string]string // postcode -> region key of the municipality
	known     map[string]bool   // every region key
}

// placeRank orders regions that share a name: a municipality before a
// district-free city before an association before a district ("Kassel" is
// the city, not the Landkreis Kassel).
func placeRank(r *catalog.Region) int {
	switch r.Level {
	case catalog.LevelGemeinde:
		return 0
	case catalog.LevelKreis:
		if strings.Contains(strings.ToLower(r.Type+" "+r.Name), "stadt") {
			return 1
		}
		return 3
	case catalog.LevelGemeindeverband:
		return 2
	}
	return 9
}

// nameVariants returns the spellings under which a region is recognised:
// "Heppenheim (Bergstraße), Kreisstadt" -> "heppenheim bergstrasse",
// "heppenheim"; "Frankfurt am Main, Stadt" -> "frankfurt am main",
// "frankfurt"; "Landkreis Kassel" -> "landkreis kassel".
func nameVariants(name string) []string {
	base := name
	if i := strings.Index(base, ","); i >= 0 {
		base = base[:i]
	}
	var out []string
	add := func(s string) {
		words := queryWords(s)
		if len(words) == 0 {
			return
		}
		f := make([]string, len(words))
		for i, w := range words {
			f[i] = w.folded
		}
		k := strings.Join(f, " ")
		if len(k) < 3 {
			return
		}
		for _, o := range out {
			if o == k {
				return
			}
		}
		out = append(out, k)
	}
	add(base)
	if i := strings.Index(base, "("); i > 0 {
		add(base[:i])
	}
	for _, sep := range []string{" am ", " an der ", " a. d. ", " v. d. ", " v.d. ", " vor der ", " im ", " in ", " ob der "} {
		if i := strings.Index(base, sep); i > 0 {
			add(base[:i])
		}
	}
	return out
}

func buildPlaces(tx *catalog.Tx) (*placeTable, error) {
	now := time.Now()
	t := &placeTable{byName: map[string][]string{}, postcodes: map[string]string{}, known: map[string]bool{}}
	ranks := map[string]int{}
	pops := map[string]int{}
	err := tx.Each(catalog.KindRegion, func(rec catalog.Record) (bool, error) {
		r := rec.(*catalog.Region)
		t.known[r.ID] = true
		rank := placeRank(r)
		if rank > 3 || strings.Contains(r.Name, "gemfr.") || !r.Validity.Covers(now) {
			return true, nil
		}
		ranks[r.ID] = rank
		for _, v := range nameVariants(r.Name) {
			if stopDE[v] {
				continue
			}
			t.byName[v] = append(t.byName[v], r.ID)
			if n := strings.Count(v, " ") + 1; n > t.maxWords {
				t.maxWords = n
			}
		}
		if r.Level == catalog.LevelGemeinde || rank == 1 {
			for _, pc := range r.PostalCodes {
				if old, ok := t.postcodes[pc]; !ok || r.Population > pops[old] {
					t.postcodes[pc] = r.ID
				}
			}
		}
		pops[r.ID] = r.Population
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	for _, ids := range t.byName {
		sort.SliceStable(ids, func(i, j int) bool {
			a, b := ids[i], ids[j]
			if ranks[a] != ranks[b] {
				return ranks[a] < ranks[b]
			}
			return pops[a] > pops[b]
		})
	}
	return t, nil
}

// match looks for a place at words[i:]: it returns the region key and the
// number of words it covers, or "", 0. Only places in a state the
// catalogue serves count (served): the regions of all Germany are loaded,
// and "Much", "Senden" or "Essen" are towns somewhere.
func (t *placeTable) match(words []word, i int, served func(ars string) bool) (string, int) {
	if t == nil {
		return "", 0
	}
	if w := words[i]; len(w.folded) == 5 && isDigits(w.folded) {
		if ars, ok := t.postcodes[w.folded]; ok && served(ars) {
			return ars, 1
		}
		return "", 0
	}
	for n := min(t.maxWords, len(words)-i); n >= 1; n-- {
		parts := make([]string, n)
		for j := range n {
			parts[j] = words[i+j].folded
		}
		if n == 1 && (len([]rune(parts[0])) < 4 || stopEN[foldString(words[i].surface, false)]) {
			continue
		}
		for _, id := range t.byName[strings.Join(parts, " ")] {
			if served(id) {
				return id, n
			}
		}
	}
	return "", 0
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
