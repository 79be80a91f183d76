package search

import (
	"context"
	"math/bits"
	"sort"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	index "github.com/blevesearch/bleve_index_api"
)

// Term facets for the evaluator (evaluator.go). Bleve's terms facet
// visits the doc values of every match and counts each term; the facet
// fields (addressee, category, bundle, online, life situation) have few
// terms, so the evaluator counts a term as the matches in its postings'
// bitmap instead, and keeps the top terms as Bleve does: by count, then
// by term.

// termFacetsOnly reports whether every facet asked for is a plain terms
// facet.
func termFacetsOnly(fs bleve.FacetsRequest) bool {
	for _, f := range fs {
		if f == nil || f.TermPrefix != "" || f.TermPattern != "" || len(f.NumericRanges) > 0 || len(f.DateTimeRanges) > 0 {
			return false
		}
	}
	return true
}

// facets counts the terms of each facet's field over the matches.
func (pl *plan) facets(ctx context.Context, fs bleve.FacetsRequest, matched []uint64, total uint64) (search.FacetResults, error) {
	out := search.FacetResults{}
	for name, f := range fs {
		terms, err := pl.p.postings.fieldTerms(pl.r, f.Field)
		if err != nil {
			return nil, err
		}
		fr := &search.FacetResult{Field: f.Field, Terms: &search.TermFacets{}}
		var with []uint64 // matches with a term of the field
		for _, term := range terms {
			d, err := pl.p.postings.postings(ctx, pl.r, f.Field, term)
			if err != nil {
				return nil, err
			}
			set := d.bitmap()
			if len(set) > len(with) {
				with = append(with, make([]uint64, len(set)-len(with))...)
			}
			count := 0
			for w := range min(len(set), len(matched)) {
				both := set[w] & matched[w]
				count += bits.OnesCount64(both)
				with[w] |= both
			}
			if count > 0 {
				fr.Terms.Add(&search.TermFacet{Term: term, Count: count})
				fr.Total += count
			}
		}
		sort.Sort(fr.Terms)
		fr.Terms.TrimToTopN(min(f.Size, fr.Terms.Len()))
		kept := 0
		for _, t := range fr.Terms.Terms() {
			kept += t.Count
		}
		fr.Other = fr.Total - kept
		fr.Missing = int(total - onesCount(with))
		out[name] = fr
	}
	return out, nil
}

// fieldTerms returns the terms of field in r (a facet field's values),
// read once per snapshot.
func (c *postingsCache) fieldTerms(r index.IndexReader, field string) ([]string, error) {
	terms, ok := cached(c, r, func(c *postingsCache) map[string][]string { return c.fields }, field)
	if ok {
		return terms, nil
	}
	dict, err := r.FieldDict(field)
	if err != nil {
		return nil, err
	}
	defer dict.Close()
	for {
		e, err := dict.Next()
		if err != nil {
			return nil, err
		}
		if e == nil {
			break
		}
		terms = append(terms, e.Term)
	}
	c.mu.Lock()
	if c.snap == r {
		c.fields[field] = terms
	}
	c.mu.Unlock()
	return terms, nil
}
