package search

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/leistungsfinder/leistungsfinder/catalog"
)

// placeTable recognises place names and postcodes in a query ("ummelden
// kassel", "hundesteuer 37269"). It is built from the region records valid
// at one time and replaced whenever a region changes or the clock passes a
// region's validity boundary (Hanau's key changed on 2026-01-01: the old
// key stops being a place that day, the new one starts).
type placeTable struct {
	byName    map[string][]string // folded name words joined by " " -> region keys, best first
	maxWords  int
	postcodes map[string]string // postcode -> region key of the municipality
	known     map[string]bool   // every region key
	// built is the time the table holds for; until is the next validity
	// boundary of a region after it (zero: none).
	built, until time.Time
}

// currentAt reports whether the table answers correctly for now: now lies
// between the time it was built for and the next boundary.
func (t *placeTable) currentAt(now time.Time) bool {
	return !now.Before(t.built) && (t.until.IsZero() || now.Before(t.until))
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

// buildPlaces builds the place table for the regions valid at now.
func buildPlaces(tx *catalog.Tx, now time.Time) (*placeTable, error) {
	t := &placeTable{byName: map[string][]string{}, postcodes: map[string]string{}, known: map[string]bool{}, built: now}
	ranks := map[string]int{}
	pops := map[string]int{}
	err := tx.Each(catalog.KindRegion, func(rec catalog.Record) (bool, error) {
		r := rec.(*catalog.Region)
		t.known[r.ID] = true
		rank := placeRank(r)
		if rank > 3 || strings.Contains(r.Name, "gemfr.") {
			return true, nil
		}
		if next, ok := r.Validity.NextChange(now); ok && (t.until.IsZero() || next.Before(t.until)) {
			t.until = next
		}
		if !r.Validity.Covers(now) {
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

// placesAt returns p's place table for now, refreshing it from the store
// first when a region's validity boundary lies between the time it was
// built for and now: the regions do not change then, so no change-log
// entry would refresh it. Errors: INTERNAL, or ctx's error.
func (ix *Index) placesAt(ctx context.Context, p *projection, now time.Time) (*placeTable, error) {
	if t := p.places.Load(); t == nil || t.currentAt(now) {
		return t, nil
	}
	p.placesMu.Lock()
	defer p.placesMu.Unlock()
	if t := p.places.Load(); t.currentAt(now) { // refreshed while we waited
		return t, nil
	}
	var t *placeTable
	err := ix.st.View(ctx, func(tx *catalog.Tx) (err error) {
		t, err = buildPlaces(tx, now)
		return err
	})
	if err != nil {
		return nil, err
	}
	ix.log.Info("search: place table refreshed at a region validity boundary", "at", now.UTC().Format(time.RFC3339))
	p.places.Store(t)
	return t, nil
}
