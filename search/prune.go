package search

import "math"

// A query names every field a word may be in, in both languages, but most
// words are in only some of them. A term searcher for a term its field
// does not have matches nothing and still costs a term dictionary lookup,
// a postings iterator and a place in every step of the disjunction over
// the fields. The query builder leaves such terms out (see
// newPrunedMaxQuery) and keeps their weight, so that no score changes.

// absentTerm reports whether field lacks term in the index (by the cached
// document frequency) and, if so, the weight Bleve's term searcher would
// have had: (boost × idf)², with the tf-idf idf of a term no document has.
func (pl *plan) absentTerm(field, term string, boost float64) (float64, bool) {
	if pl.keepAbsent || pl.docFreq(field, term) > 0 {
		return 0, false
	}
	w := boost * pl.idf(0)
	return w * w, true
}

// absentPhrase reports whether a phrase cannot match because a term of it
// is missing in field and, if so, the weight Bleve's phrase searcher would
// have had: the sum of its term searchers' weights.
func (pl *plan) absentPhrase(field string, terms []string, boost float64) (float64, bool) {
	if pl.keepAbsent {
		return 0, false
	}
	missing := false
	var sum float64
	for _, t := range terms {
		n := pl.docFreq(field, t)
		missing = missing || n == 0
		w := boost * pl.idf(n)
		sum += w * w
	}
	return sum, missing
}

// idf is Bleve's tf-idf inverse document frequency of a term in n of the
// index's documents (search/scorer.TermQueryScorer).
func (pl *plan) idf(n uint64) float64 {
	return 1 + math.Log(float64(pl.docCount())/float64(n+1))
}
