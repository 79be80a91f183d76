package search

import (
	"context"
	"slices"
	"sort"
	"strings"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/leistungsfinder/leistungsfinder/catalog"
)

// Autocomplete of local terms: a municipality's published local terms
// ("Fundbüro am Obermarkt", see local.go) are offered to people typing at
// one of its places, and only there. The index says which services have
// local terms of the place or a region above it (local_ars); the store says
// which terms those are, and only published additions count
// (catalog.Tx.LocalTerms), so a draft or a rejected one is never offered.

// maxLocalDocs caps the services with local terms at one place that a
// suggestion looks at: local terms are written by hand, a place has few.
const maxLocalDocs = 500

// localSuggestions returns the published local terms of the place ars and
// the regions above it that complete the typed words (see termCompletes),
// in lang's terms ("" for every language), those starting with the typed
// text first.
func (ix *Index) localSuggestions(ctx context.Context, p *projection, ars, lang string, words []word, complete bool) ([]Suggestion, error) {
	if ars == "" || len(words) == 0 {
		return nil, nil
	}
	places := catalog.Ancestors(ars)
	var atPlace []query.Query
	for _, a := range places {
		if !indexedTerm(p, fieldLocalARS, a) {
			continue // most places have no local terms: no search at all
		}
		t := bleve.NewTermQuery(a)
		t.SetField(fieldLocalARS)
		atPlace = append(atPlace, t)
	}
	if len(atPlace) == 0 {
		return nil, nil
	}
	sr := bleve.NewSearchRequestOptions(withFilters(bleve.NewDisjunctionQuery(atPlace...), ars, Filter{}, ix.st.Now(), p.bounded.Load()), maxLocalDocs, 0, false)
	sr.SortBy([]string{"_id"})
	res, err := p.bi.SearchInContext(ctx, sr)
	if err != nil {
		return nil, searchError(ctx, err)
	}
	if len(res.Hits) == 0 {
		return nil, nil
	}
	ids := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		ids[i] = h.ID
	}
	inPlace := map[string]bool{}
	for _, a := range places {
		inPlace[a] = true
	}
	type entry struct {
		s     Suggestion
		start bool
	}
	var es []entry
	seen := map[string]bool{}
	// A key's terms are offered once, for the first service that has it:
	// another service with the key (a mirrored description) could add
	// none, as they are all seen or do not complete the words.
	keys := map[string]bool{}
	err = ix.st.View(ctx, func(tx *catalog.Tx) error {
		svcs, err := tx.Services(ids)
		if err != nil {
			return err
		}
		for _, s := range svcs {
			for _, k := range s.LeikaKeys {
				if keys[k] {
					continue
				}
				keys[k] = true
				sps, err := tx.LocalTerms(k)
				if err != nil {
					return err
				}
				for _, sp := range sps {
					if !inPlace[sp.RegionKey] {
						continue
					}
					for _, t := range sp.Terms {
						key := strings.ToLower(t.Text)
						if (lang != "" && t.Lang != lang) || seen[key] {
							continue
						}
						ok, start := termCompletes(t.Text, words, complete)
						if !ok {
							continue
						}
						seen[key] = true
						es = append(es, entry{Suggestion{Text: t.Text, ServiceID: s.ID}, start})
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.SliceStable(es, func(i, j int) bool {
		if es[i].start != es[j].start {
			return es[i].start
		}
		return es[i].s.Text < es[j].s.Text
	})
	out := make([]Suggestion, len(es))
	for i, e := range es {
		out[i] = e.s
	}
	return out, nil
}

// indexedTerm reports whether some document has term in field.
func indexedTerm(p *projection, field, term string) bool {
	fd, err := p.bi.FieldDictPrefix(field, []byte(term))
	if err != nil {
		return false
	}
	defer fd.Close()
	e, err := fd.Next()
	return err == nil && e != nil && e.Term == term
}

// termCompletes reports whether a term completes the typed words as the
// names do (Suggest): every word but the last occurs in the term (folded,
// or by its stem), the last one starts a word of the term or a part of a
// compound ("büro" in "Fundbüro") — or occurs whole when the typing ended
// with a space. Stop words are skipped. start: the term's first word starts
// with the first typed word (or has its stem).
func termCompletes(text string, words []word, complete bool) (ok, start bool) {
	tws := queryWords(text)
	if len(tws) == 0 {
		return false, false
	}
	has := func(w word) bool {
		for _, tw := range tws {
			if sameWord(tw, w) {
				return true
			}
		}
		return false
	}
	for i, w := range words {
		last := i == len(words)-1 && !complete
		if !last {
			if w.stemDE == "" && w.stemEN == "" {
				continue // a stop word
			}
			if !has(w) {
				return false, false
			}
			continue
		}
		found := false
		for _, tw := range tws {
			if strings.HasPrefix(tw.folded, w.folded) || (len(w.folded) >= 3 && strings.Contains(tw.folded, w.folded)) {
				found = true
				break
			}
		}
		if !found {
			return false, false
		}
	}
	first, w := tws[0], words[0]
	return true, strings.HasPrefix(first.folded, w.folded) || sameWord(first, w)
}

// sameWord: the same word folded, or by its German or English stem.
func sameWord(a, b word) bool {
	return a.folded == b.folded || (b.stemDE != "" && a.stemDE == b.stemDE) || (b.stemEN != "" && a.stemEN == b.stemEN)
}

// mergeSuggestions puts the place's local terms before the names, without
// a text twice, at most limit.
func mergeSuggestions(local, names []Suggestion, limit int) []Suggestion {
	out := make([]Suggestion, 0, min(limit, len(local)+len(names)))
	seen := map[string]bool{}
	for _, s := range slices.Concat(local, names) {
		key := strings.ToLower(s.Text)
		if seen[key] || len(out) == limit {
			continue
		}
		seen[key] = true
		out = append(out, s)
	}
	return out
}
