package search

import (
	"context"

	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
)

// filterQuery matches what q matches and scores nothing: a filter (the
// region, the facets, the title and required filters of search). Its
// searchers run without scores, frequencies and term vectors, which lets
// Bleve combine the postings of a disjunction or conjunction of terms into
// one bitmap ("unadorned" searchers) instead of stepping through each term
// document by document. It adds no weight to the query norm, so the
// scores of the query it filters stay as they are.
type filterQuery struct{ q query.Query }

func newFilterQuery(q query.Query) query.Query { return filterQuery{q} }

func (f filterQuery) Searcher(ctx context.Context, r index.IndexReader, m mapping.IndexMapping,
	options search.SearcherOptions) (search.Searcher, error) {
	options.Score = "none"
	options.IncludeTermVectors = false
	options.Explain = false
	s, err := f.q.Searcher(ctx, r, m, options)
	if err != nil {
		return nil, err
	}
	return unweighted{s}, nil
}

// unweighted is a searcher that does not count in the query norm. (Bleve
// gives the bitmap searcher it makes of a disjunction a boost of 1.)
type unweighted struct{ search.Searcher }

func (unweighted) Weight() float64      { return 0 }
func (unweighted) SetQueryNorm(float64) {}
