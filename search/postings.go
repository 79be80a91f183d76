package search

import (
	"context"
	"sort"
	"sync"

	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/blevesearch/bleve/v2/search/scorer"
	index "github.com/blevesearch/bleve_index_api"
)

// Decoded postings. A query of the portal search has some 30 to 80 scored
// term clauses (a word in five fields, its compound parts, synonyms, the
// other language), and the same field and term recur in a query and across
// queries. Bleve's term searcher opens a term reader per clause (a
// dictionary lookup per segment) and decodes the postings (document number,
// frequency and norm, varint-coded in chunks) each time it steps or skips.
// At L, with common words in thousands of services, that was a third of the
// CPU of a search. postingsCache keeps the decoded postings of the terms
// searched, per index snapshot, and cachedTermSearcher steps through them
// and scores with Bleve's own TermQueryScorer, so scores and ranks are
// exactly those of Bleve's term searcher (TestDecodedPostingsScoreAsBleve).
//
// Only scored clauses without term vectors use it: filters keep Bleve's
// term searchers, which Bleve merges into bitmaps, and highlights and
// Explain need what only Bleve's reader gives.

// postingsCacheBytes bounds the decoded postings kept (about 20 bytes per
// posting: all postings of the L index's name and keyword fields, and the
// common words of its full texts).
const postingsCacheBytes = 64 << 20

// decodedPostings are the postings of one term in one field of one index
// snapshot, in document order.
type decodedPostings struct {
	docs  []uint64
	freqs []uint64
	norms []float64
	count uint64 // the reader's Count (the term's document frequency), which scores use
	// locs are the locations of the occurrences (see location) of
	// posting i at locs[locStart[i]:locStart[i+1]], in the order of the
	// index, when the postings were decoded withLocations; locsOK is false
	// when one did not fit.
	locStart []uint32
	locs     []uint64
	locsOK   bool
	// base are the scores of the postings before the query weight, for
	// the idf they were computed with.
	baseOnce sync.Once
	baseIDF  float64
	base     []float64
	// set is docs as a bitmap, made when a filter first needs it.
	setOnce sync.Once
	set     []uint64
}

// baseScores returns the tf-idf scores of the postings before the query
// weight (termScore) for idf, computed once; nil for another idf.
func (d *decodedPostings) baseScores(idf float64) []float64 {
	d.baseOnce.Do(func() {
		d.baseIDF = idf
		d.base = d.scores(idf)
	})
	if d.baseIDF != idf {
		return nil
	}
	return d.base
}

// scores computes the tf-idf scores of the postings for idf.
func (d *decodedPostings) scores(idf float64) []float64 {
	base := make([]float64, len(d.docs))
	for i, f := range d.freqs {
		base[i] = termScore(f, d.norms[i], idf)
	}
	return base
}

// bitmap returns the documents as a bitmap (bit n%64 of word n/64);
// callers must not modify it.
func (d *decodedPostings) bitmap() []uint64 {
	d.setOnce.Do(func() {
		if len(d.docs) == 0 {
			return
		}
		d.set = make([]uint64, d.docs[len(d.docs)-1]/64+1)
		for _, doc := range d.docs {
			d.set[doc/64] |= 1 << (doc % 64)
		}
	})
	return d.set
}

func (d *decodedPostings) bytes() int {
	n := 128 + 32*len(d.docs) + 4*len(d.locStart) + 8*len(d.locs) // base scores too
	if len(d.docs) > 0 {
		n += int(d.docs[len(d.docs)-1]/8) + 8 // the bitmap, if a filter needs it
	}
	return n
}

// postingsCache holds decoded postings for the index snapshot it last saw.
// A search with another snapshot (a batch was indexed meanwhile) starts it
// afresh; entries are immutable once stored.
type postingsCache struct {
	mu      sync.Mutex
	snap    index.IndexReader
	entries map[fieldTerm]*decodedPostings
	size    int
	// ids are the external IDs (service IDs) of internal document
	// numbers the evaluator read (evaluator.go), for the same snapshot.
	ids map[uint64]string
	// fields are the terms of facet fields (evalfacets.go).
	fields map[string][]string
}

// postings returns the decoded postings of term in field as r has them.
func (c *postingsCache) postings(ctx context.Context, r index.IndexReader, field, term string) (*decodedPostings, error) {
	return c.decode(ctx, r, field, term, false)
}

// withLocations returns the decoded postings of term in field with the
// positions of each occurrence (for phrases, evaluator.go).
func (c *postingsCache) withLocations(ctx context.Context, r index.IndexReader, field, term string) (*decodedPostings, error) {
	return c.decode(ctx, r, field, term, true)
}

// locationsKey marks the cache entries that have locations.
const locationsKey = "\x00locations\x00"

func (c *postingsCache) decode(ctx context.Context, r index.IndexReader, field, term string, locations bool) (*decodedPostings, error) {
	k := fieldTerm{field, term}
	if locations {
		k.field = locationsKey + field
	}
	if d, ok := cached(c, r, func(c *postingsCache) map[fieldTerm]*decodedPostings { return c.entries }, k); ok {
		return d, nil
	}
	tfr, err := r.TermFieldReader(ctx, []byte(term), field, true, true, locations)
	if err != nil {
		return nil, err
	}
	defer tfr.Close()
	n := tfr.Count()
	d := &decodedPostings{docs: make([]uint64, 0, n), freqs: make([]uint64, 0, n), norms: make([]float64, 0, n), count: n}
	if locations {
		d.locStart = make([]uint32, 1, n+1)
		d.locsOK = true
	}
	var tfd index.TermFieldDoc
	for {
		m, err := tfr.Next(tfd.Reset())
		if err != nil {
			return nil, err
		}
		if m == nil {
			break
		}
		d.docs = append(d.docs, m.ID.Value())
		d.freqs = append(d.freqs, m.Freq)
		d.norms = append(d.norms, m.Norm)
		if locations {
			for _, v := range m.Vectors {
				loc, ok := location(v)
				d.locsOK = d.locsOK && ok
				d.locs = append(d.locs, loc)
			}
			d.locStart = append(d.locStart, uint32(len(d.locs)))
		}
	}
	c.mu.Lock()
	if c.snap == r && c.size+d.bytes() <= postingsCacheBytes {
		c.entries[k] = d
		c.size += d.bytes()
	}
	c.mu.Unlock()
	return d, nil
}

// location packs the position of an occurrence: the element of an array
// field (plus one; 0 outside arrays) in the high half, the word's
// position in the low half, so that the next word of a phrase is at
// location+1. ok is false for what does not fit (nested arrays, huge
// positions).
func location(v *index.TermFieldVector) (uint64, bool) {
	if v.Pos >= 1<<32-1 {
		return 0, false
	}
	switch len(v.ArrayPositions) {
	case 0:
		return v.Pos, true
	case 1:
		if v.ArrayPositions[0] >= 1<<32-1 {
			return 0, false
		}
		return (v.ArrayPositions[0]+1)<<32 | v.Pos, true
	}
	return 0, false
}

// reset starts the cache afresh for snapshot r when it holds another's;
// c.mu is held.
func (c *postingsCache) reset(r index.IndexReader) {
	if c.snap != r {
		c.snap, c.entries, c.size, c.ids, c.fields = r, map[fieldTerm]*decodedPostings{}, 0, map[uint64]string{}, map[string][]string{}
	}
}

// cached looks k up in the map of c that m picks, for snapshot r.
func cached[K comparable, V any](c *postingsCache, r index.IndexReader, m func(*postingsCache) map[K]V, k K) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reset(r)
	v, ok := m(c)[k]
	return v, ok
}

// externalID returns the external ID of document number doc in r.
func (c *postingsCache) externalID(r index.IndexReader, doc uint64) (string, error) {
	if id, ok := cached(c, r, func(c *postingsCache) map[uint64]string { return c.ids }, doc); ok {
		return id, nil
	}
	id, err := r.ExternalID(index.NewIndexInternalID(nil, doc))
	if err != nil {
		return "", err
	}
	c.mu.Lock()
	if c.snap == r && len(c.ids) < maxCachedIDs {
		c.ids[doc] = id
	}
	c.mu.Unlock()
	return id, nil
}

// maxCachedIDs bounds the external IDs kept (every service of L).
const maxCachedIDs = 1 << 17

// clear drops every entry (after a batch: they belong to an older
// snapshot, and only hold memory).
func (c *postingsCache) clear() {
	c.mu.Lock()
	c.snap, c.entries, c.size, c.ids, c.fields = nil, nil, 0, nil, nil
	c.mu.Unlock()
}

// termQuery is Bleve's TermQuery, searched through the projection's
// decoded postings where that gives the same answer.
type termQuery struct {
	*query.TermQuery
	cache *postingsCache
}

func (pl *plan) termQuery(field, term string, boost float64) query.Query {
	t := query.NewTermQuery(term)
	t.SetField(field)
	t.SetBoost(boost)
	if pl.p.postings == nil {
		return t
	}
	return termQuery{t, pl.p.postings}
}

func (q termQuery) Searcher(ctx context.Context, r index.IndexReader, m mapping.IndexMapping,
	options search.SearcherOptions) (search.Searcher, error) {
	if !decodedPostingsApply(ctx, options) {
		return q.TermQuery.Searcher(ctx, r, m, options)
	}
	if err := search.RecordTermSearcher(ctx); err != nil {
		return nil, err
	}
	field := q.FieldVal
	if field == "" {
		field = m.DefaultSearchField()
	}
	d, err := q.cache.postings(ctx, r, field, q.Term)
	if err != nil {
		return nil, err
	}
	docs, err := r.DocCount()
	if err != nil {
		return nil, err
	}
	s := &cachedTermSearcher{d: d,
		scorer: scorer.NewTermQueryScorer([]byte(q.Term), field, q.BoostVal.Value(), docs, d.count, 0, options)}
	return s, nil
}

// decodedPostingsApply reports whether a scored term clause may be searched
// through decoded postings: scores (TF-IDF, Bleve's default, which the
// mapping keeps) without term vectors, Explain or Bleve's synonym sources.
func decodedPostingsApply(ctx context.Context, options search.SearcherOptions) bool {
	if options.Score == "none" || options.IncludeTermVectors || options.Explain {
		return false
	}
	if ctx.Value(search.FieldTermSynonymMapKey) != nil {
		return false
	}
	if cb, ok := ctx.Value(search.GetScoringModelCallbackKey).(search.GetScoringModelCallbackFn); ok {
		if model := cb(); model != "" && model != index.TFIDFScoring {
			return false
		}
	}
	return true
}

// cachedTermSearcher is Bleve's TermSearcher over decoded postings.
type cachedTermSearcher struct {
	d      *decodedPostings
	next   int // position of the next posting
	scorer *scorer.TermQueryScorer
	tfd    index.TermFieldDoc
}

func (s *cachedTermSearcher) Next(ctx *search.SearchContext) (*search.DocumentMatch, error) {
	if s.next >= len(s.d.docs) {
		return nil, nil
	}
	i := s.next
	s.next++
	s.tfd.Reset()
	s.tfd.ID = index.NewIndexInternalID(s.tfd.ID, s.d.docs[i])
	s.tfd.Freq, s.tfd.Norm = s.d.freqs[i], s.d.norms[i]
	return s.scorer.Score(ctx, &s.tfd), nil
}

// Advance moves to the first posting at or after id: forwards from the
// current position, or, like Bleve's reader, from the start when id lies
// before it.
func (s *cachedTermSearcher) Advance(ctx *search.SearchContext, id index.IndexInternalID) (*search.DocumentMatch, error) {
	target := id.Value()
	from := s.next
	if from > 0 && s.d.docs[from-1] >= target {
		from = 0
	}
	rest := s.d.docs[from:]
	s.next = from + sort.Search(len(rest), func(k int) bool { return rest[k] >= target })
	return s.Next(ctx)
}

func (s *cachedTermSearcher) Close() error               { return nil }
func (s *cachedTermSearcher) Weight() float64            { return s.scorer.Weight() }
func (s *cachedTermSearcher) SetQueryNorm(n float64)     { s.scorer.SetQueryNorm(n) }
func (s *cachedTermSearcher) Count() uint64              { return s.d.count }
func (s *cachedTermSearcher) Min() int                   { return 0 }
func (s *cachedTermSearcher) Size() int                  { return 96 + s.scorer.Size() }
func (s *cachedTermSearcher) DocumentMatchPoolSize() int { return 1 }
