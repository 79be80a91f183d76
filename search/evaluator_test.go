package search

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEvaluatorScoresAsBleve searches the queries of TestDecodedPostingsScoreAsBleve
// (both relevance sets and the citizen queries, with pages, places,
// filters and the other language) asking for hits only, which the
// evaluator answers, and requires Bleve's answer bit for bit: the same
// hits in the same order, the same scores and totals, on every page. One
// Bleve index searches with the decoded postings, one with Bleve's term
// searchers only.
func TestEvaluatorScoresAsBleve(t *testing.T) {
	st, ix := demoIndex(t)
	decoded := openVariant(t, st, func(p *projection) { p.bleveOnly = true })
	plain := openVariant(t, st, func(p *projection) { p.postings = nil })

	reqs := comparedRequests(t)
	evaluated := ix.cur.evaluated.Load() // the demo index is shared
	var n int
	for _, r := range reqs {
		r.SkipHighlights, r.SkipFacets, r.SkipStoredFields = true, true, true
		for page := 0; page < 3; page++ {
			got, gotErr := ix.Search(ctx, r)
			want, wantErr := plain.Search(ctx, r)
			dec, decErr := decoded.Search(ctx, r)
			require.Equal(t, wantErr, gotErr, "%+v", r)
			require.Equal(t, wantErr, decErr, "%+v", r)
			n++
			if !assert.Equal(t, want, got, "%+v", r) || !assert.Equal(t, want, dec, "%+v", r) {
				return
			}
			if want == nil || !want.HasNextPage {
				break
			}
			r.After = want.EndCursor
		}
	}
	require.Greater(t, n, 2000)
	assert.Greater(t, ix.cur.evaluated.Load()-evaluated, uint64(n*9/10), "the evaluator answered nearly every search")
	assert.Zero(t, decoded.cur.evaluated.Load())
	assert.Zero(t, plain.cur.evaluated.Load())
}
