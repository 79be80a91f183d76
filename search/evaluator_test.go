package search

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leistungsfinder/leistungsfinder/catalog"
)

// TestEvaluatorScoresAsBleve searches the queries of TestDecodedPostingsScoreAsBleve
// (both relevance sets and the citizen queries, with pages, places,
// filters and the other language) asking for hits only, with facets, and
// with facets and stored fields, which the evaluator answers, and requires Bleve's answer bit for bit: the same
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
	for i, r := range reqs {
		// Hits only, and with facets (every other request).
		// Hits only, with facets, with facets and stored fields.
		r.SkipHighlights, r.SkipFacets, r.SkipStoredFields = true, i%3 == 0, i%3 != 2
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

// TestEvaluatorWhileIndexing searches through the evaluator from two
// goroutines while services are written and indexed, so that every few
// searches see a new index snapshot (the decoded postings, bitmaps and
// IDs start afresh). Run with -race, it checks that the per-snapshot
// caches are shared safely; every search finds the fixture's service.
func TestEvaluatorWhileIndexing(t *testing.T) {
	f := newFixture(t)
	ix := openMem(t, f.st)
	c, cancel := context.WithCancel(ctx)
	done := make(chan error)
	go func() { done <- ix.Run(c) }()
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 2 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				res, err := ix.Search(ctx, Request{Query: "Hundesteuer", SkipHighlights: true})
				if assert.NoError(t, err) && assert.NotEmpty(t, res.Hits) {
					assert.Equal(t, keyHundesteuer, res.Hits[0].LeikaKeys[0])
				}
			}
		})
	}
	for i := range 20 {
		s := newPublished(fmt.Sprintf("Hundesteuerbefreiung %d", i))
		write(t, f.st, func(tx *catalog.Tx) error { return tx.Put(s, catalog.Write{Actor: "test"}) })
	}
	assert.Eventually(t, func() bool { return found(t, ix, "Hundesteuerbefreiung 19", "", keyNew) }, 10*time.Second, 10*time.Millisecond)
	close(stop)
	wg.Wait()
	cancel()
	require.NoError(t, <-done)
	assert.Positive(t, ix.cur.evaluated.Load())
}
