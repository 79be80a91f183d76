package search

import (
	"bufio"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leistungsfinder/leistungsfinder/catalog"
)

// TestDecodedPostingsScoreAsBleve searches every query of both relevance
// sets and the benchmark's citizen queries, with pages, places, filters
// and the other language, once through the decoded postings and once with
// Bleve's term searchers only, and requires the same answer: the same hits
// in the same order with the same scores, totals, facets and corrections.
func TestDecodedPostingsScoreAsBleve(t *testing.T) {
	st, _ := demoIndex(t)
	ix := openVariant(t, st, func(p *projection) { p.bleveOnly = true }) // Bleve's searchers, not the evaluator
	plain := openVariant(t, st, func(p *projection) { p.postings = nil })

	reqs := comparedRequests(t)
	require.Greater(t, len(reqs), 2000)
	for _, r := range reqs {
		got, gotErr := ix.Search(ctx, r)
		want, wantErr := plain.Search(ctx, r)
		require.Equal(t, wantErr, gotErr, "%+v", r)
		if want != nil && want.HasNextPage { // the second page too
			next := r
			next.After = want.EndCursor
			got2, _ := ix.Search(ctx, next)
			want2, _ := plain.Search(ctx, next)
			assert.Equal(t, want2, got2, "%+v", next)
		}
		if !assert.Equal(t, want, got, "%+v", r) {
			return
		}
	}
	assert.Zero(t, ix.cur.evaluated.Load())
	ix.cur.postings.mu.Lock()
	defer ix.cur.postings.mu.Unlock()
	assert.NotEmpty(t, ix.cur.postings.entries, "the searches went through the decoded postings")
}

// comparedRequests are the searches that compare the decoded postings and
// the evaluator with Bleve: every query of both relevance sets and the
// benchmark's citizen queries, each as it is, with the widest page, with
// filters, with a place and in English.
func comparedRequests(t *testing.T) []Request {
	t.Helper()
	var base []Request
	for _, file := range []string{queriesFile, citizenFile} {
		for _, q := range readQueryFile(t, file) {
			base = append(base, Request{Query: q.Query, ARS: q.ARS, Lang: q.Lang})
		}
	}
	f, err := os.Open("../testdata/search/citizen-queries.txt")
	require.NoError(t, err)
	defer f.Close()
	for sc := bufio.NewScanner(f); sc.Scan(); {
		if q := strings.TrimSpace(sc.Text()); q != "" && !strings.HasPrefix(q, "#") {
			base = append(base, Request{Query: q})
		}
	}
	online := true
	var reqs []Request
	for _, r := range base {
		r.SkipHighlights = true
		reqs = append(reqs, r)
		wide := r
		wide.First, wide.SkipFacets = MaxFirst, true
		reqs = append(reqs, wide)
		filtered := r
		filtered.Filter = Filter{Addressees: []string{"CITIZEN"}, HasOnline: &online}
		reqs = append(reqs, filtered)
		placed := r
		placed.ARS = arsEschwege
		reqs = append(reqs, placed)
		english := r
		english.Lang = "en"
		reqs = append(reqs, english)
	}
	return reqs
}

// openVariant builds another in-memory index of st and lets change set
// how it searches.
func openVariant(t *testing.T, st *catalog.Store, change func(*projection)) *Index {
	t.Helper()
	ix, err := Open("", st, nil)
	require.NoError(t, err)
	t.Cleanup(func() { ix.Close() })
	change(ix.cur)
	return ix
}
