package search

import (
	"context"

	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/blevesearch/bleve/v2/search/searcher"
	index "github.com/blevesearch/bleve_index_api"
)

// maxQuery matches the documents any of its queries matches and scores a
// document by its best match plus tie times the others ("dis_max").
//
// Bleve's DisjunctionQuery scores the sum of the matches times the share of
// clauses that matched (its coordination factor). That is right across the
// concepts of a query, where a hit should satisfy as many as it can, but
// wrong across the fields of one word: a service of the federal catalogue
// has only a name, so a word in its name would count a quarter of the same
// word in a core service that repeats it in name, keywords, short and full
// text. Alternatives of a concept (the word as typed, a synonym, a typo
// correction) likewise should not add up.
type maxQuery struct {
	queries []query.Query
	tie     float64
	// absent is the weight of the queries left out because they cannot
	// match (see newPrunedMaxQuery).
	absent float64
}

func newMaxQuery(tie float64, qs ...query.Query) query.Query {
	if len(qs) == 1 {
		return qs[0]
	}
	return &maxQuery{queries: qs, tie: tie}
}

// newPrunedMaxQuery is newMaxQuery for queries of which some were left
// out because they cannot match: a term the index does not have in the
// field. absent is the sum of their weights as Bleve would have computed
// them; it still counts in the query norm, so that leaving them out
// changes no score (scores are compared across portals in a federated
// search).
func newPrunedMaxQuery(tie, absent float64, qs ...query.Query) query.Query {
	if absent == 0 {
		return newMaxQuery(tie, qs...)
	}
	return &maxQuery{queries: qs, tie: tie, absent: absent}
}

func (q *maxQuery) Searcher(ctx context.Context, r index.IndexReader, m mapping.IndexMapping,
	options search.SearcherOptions) (search.Searcher, error) {
	ss := make([]search.Searcher, 0, len(q.queries))
	closeAll := func() {
		for _, s := range ss {
			s.Close()
		}
	}
	for _, sub := range q.queries {
		s, err := sub.Searcher(ctx, r, m, options)
		if err != nil {
			closeAll()
			return nil, err
		}
		if _, none := s.(*searcher.MatchNoneSearcher); none {
			s.Close()
			continue
		}
		ss = append(ss, s)
	}
	switch {
	case options.Score == "none" && len(ss) > 0:
		// Without scores a max is a disjunction, which Bleve can merge
		// into one bitmap (see filterQuery).
		return searcher.NewDisjunctionSearcher(ctx, r, ss, 0, options)
	case len(ss) == 0 && q.absent == 0:
		return searcher.NewMatchNoneSearcher(r)
	case len(ss) == 1 && q.absent == 0:
		return ss[0], nil
	}
	return &maxSearcher{searchers: ss, currs: make([]*search.DocumentMatch, len(ss)), tie: q.tie, absent: q.absent,
		explain: options.Explain}, nil
}

type maxSearcher struct {
	searchers   []search.Searcher
	currs       []*search.DocumentMatch
	tie         float64
	absent      float64
	explain     bool
	initialized bool
	// on and others are Next's buffers, kept to save an allocation per
	// document.
	on     []int
	others []*search.DocumentMatch
}

func (s *maxSearcher) init(ctx *search.SearchContext) error {
	for i, sub := range s.searchers {
		d, err := sub.Next(ctx)
		if err != nil {
			return err
		}
		s.currs[i] = d
	}
	s.initialized = true
	return nil
}

// Next returns the next document any sub-searcher matches.
func (s *maxSearcher) Next(ctx *search.SearchContext) (*search.DocumentMatch, error) {
	if !s.initialized {
		if err := s.init(ctx); err != nil {
			return nil, err
		}
	}
	// Which sub-searchers are on the lowest document; its ID aliases one
	// of their matches, which may go back to the pool below.
	on := s.on[:0]
	var low index.IndexInternalID
	for i, c := range s.currs {
		if c == nil {
			continue
		}
		if low != nil {
			cmp := c.IndexInternalID.Compare(low)
			if cmp > 0 {
				continue
			}
			if cmp == 0 {
				on = append(on, i)
				continue
			}
		}
		low = c.IndexInternalID
		on = append(on[:0], i)
	}
	s.on = on
	if low == nil {
		return nil, nil
	}
	best := on[0]
	sum := 0.0
	var expl []*search.Explanation
	for _, i := range on {
		sum += s.currs[i].Score
		if s.currs[i].Score > s.currs[best].Score {
			best = i
		}
		if s.explain {
			expl = append(expl, s.currs[i].Expl)
		}
	}
	rv := s.currs[best]
	others := s.others[:0]
	for _, i := range on {
		if i != best && len(s.currs[i].FieldTermLocations) > 0 {
			others = append(others, s.currs[i])
		}
	}
	if len(others) > 0 {
		rv.FieldTermLocations = search.MergeFieldTermLocations(rv.FieldTermLocations, others)
		clear(others)
	}
	s.others = others[:0]
	rv.Score += s.tie * (sum - rv.Score)
	if s.explain {
		rv.Expl = &search.Explanation{Value: rv.Score, Message: "max plus tie of:", Children: expl}
	}
	// Advance the sub-searchers that were on this document; give back the
	// matches that are not returned.
	for _, i := range on {
		if i != best {
			ctx.DocumentMatchPool.Put(s.currs[i])
		}
		d, err := s.searchers[i].Next(ctx)
		if err != nil {
			return nil, err
		}
		s.currs[i] = d
	}
	return rv, nil
}

// Advance moves to the first document at or after id.
func (s *maxSearcher) Advance(ctx *search.SearchContext, id index.IndexInternalID) (*search.DocumentMatch, error) {
	if !s.initialized {
		if err := s.init(ctx); err != nil {
			return nil, err
		}
	}
	for i, sub := range s.searchers {
		if c := s.currs[i]; c != nil {
			if c.IndexInternalID.Compare(id) >= 0 {
				continue
			}
			ctx.DocumentMatchPool.Put(c)
		}
		d, err := sub.Advance(ctx, id)
		if err != nil {
			return nil, err
		}
		s.currs[i] = d
	}
	return s.Next(ctx)
}

func (s *maxSearcher) Close() error {
	var first error
	for _, sub := range s.searchers {
		if err := sub.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

func (s *maxSearcher) Weight() float64 {
	w := s.absent
	for _, sub := range s.searchers {
		w += sub.Weight()
	}
	return w
}

func (s *maxSearcher) SetQueryNorm(n float64) {
	for _, sub := range s.searchers {
		sub.SetQueryNorm(n)
	}
}

func (s *maxSearcher) Count() uint64 {
	var n uint64
	for _, sub := range s.searchers {
		n += sub.Count()
	}
	return n
}

func (s *maxSearcher) Min() int { return 0 }

func (s *maxSearcher) Size() int {
	n := 64 + 8*len(s.currs)
	for _, sub := range s.searchers {
		n += sub.Size()
	}
	return n
}

func (s *maxSearcher) DocumentMatchPoolSize() int {
	n := len(s.currs)
	for _, sub := range s.searchers {
		n += sub.DocumentMatchPoolSize()
	}
	return n
}
