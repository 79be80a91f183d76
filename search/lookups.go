package search

import "sync"

// Query rewriting asks the same questions for every query: how a word is
// analysed (its stem and compound parts) and how many services have a term
// in a field (is the word known, is it common in the full texts). The
// answers are the same for every query until the index changes, so each
// projection keeps them:
//
//   - analyses: the analysis of a text by an analyser. The analysers are
//     part of the projection's mapping and never change while it lives.
//   - term frequencies: the document frequency of a term in a field. They
//     change with every batch written to the index, so the projection drops
//     them after each batch (see projection.indexChanged).
//
// These caches hold facts about words, not answers to queries: every
// search still runs its own Bleve search.

// maxLookups bounds each cache: when it is full, it starts over. Queries
// are free text, so the set of words is unbounded; the common words come
// back quickly after a reset.
const maxLookups = 1 << 14

// lookups is a bounded map, safe for concurrent use; its zero value is
// empty and ready.
type lookups[K comparable, V any] struct {
	mu sync.RWMutex
	m  map[K]V
}

func (c *lookups[K, V]) get(k K) (V, bool) {
	c.mu.RLock()
	v, ok := c.m[k]
	c.mu.RUnlock()
	return v, ok
}

func (c *lookups[K, V]) put(k K, v V) {
	c.mu.Lock()
	if c.m == nil {
		c.m = map[K]V{}
	} else if len(c.m) >= maxLookups {
		clear(c.m)
	}
	c.m[k] = v
	c.mu.Unlock()
}

// analysisKey is a text analysed by a named analyser.
type analysisKey struct{ analyzer, text string }

// fieldTerm is a term of an index field.
type fieldTerm struct{ field, term string }

type termFreqs = lookups[fieldTerm, uint64]

// termFreqs returns the projection's current term frequencies. A search
// takes them before it opens its index reader: then every frequency in
// the current cache comes from a reader opened after the last batch that
// cleared it (see indexChanged), never from an older snapshot.
func (p *projection) termFreqs() *termFreqs {
	for {
		if c := p.freqs.Load(); c != nil {
			return c
		}
		p.freqs.CompareAndSwap(nil, &termFreqs{})
	}
}

// indexChanged drops what the projection knows about the index's terms;
// it is called after every batch written to the index. A search that took
// the old frequencies and opened its reader after the batch may still
// read an old one: it then searches as if it had started just before the
// batch.
func (p *projection) indexChanged() {
	p.freqs.Store(nil)
	if p.postings != nil {
		p.postings.clear()
	}
}

// positions returns the analysis of text by an analyser of the index,
// grouped by position. The result is shared: callers must not change it.
func (pl *plan) positions(analyzer, text string) []position {
	k := analysisKey{analyzer, text}
	if ps, ok := pl.p.analyses.get(k); ok {
		return ps
	}
	ps := groupPositions(pl.analyze(analyzer, text))
	pl.p.analyses.put(k, ps)
	return ps
}
