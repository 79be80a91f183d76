package search

import (
	"os"
	"path/filepath"
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/catalog/catalogtest"
)

// BenchmarkCitizenQueriesData runs the citizen queries, hits only, over
// the data directory LF_BENCH_DATA (from `gen --scale L`, say), once
// through Bleve's searcher tree ("Bleve", the decoded postings) and once
// through the evaluator ("Evaluator"); run it with -count to alternate
// them. It opens the store read-only and searches a copy of the
// directory's search index in a temporary directory, so the directory is
// never written:
//
//	LF_BENCH_DATA=/tmp/scale/L go test ./search -run '^$' -bench CitizenQueriesData -count 3
func BenchmarkCitizenQueriesData(b *testing.B) {
	dir := benchData(b)
	if _, set := os.LookupEnv("GOGC"); !set {
		defer debug.SetGCPercent(debug.SetGCPercent(400))
	}
	ix := openDataCopy(b, dir)
	qs := citizenQueries(b)
	for _, c := range []struct {
		name      string
		bleveOnly bool
	}{{"Bleve", true}, {"Evaluator", false}} {
		b.Run(c.name, func(b *testing.B) {
			ix.cur.bleveOnly = c.bleveOnly
			for _, q := range qs { // the decoded postings and lookups, as in a running server
				_, err := ix.Search(ctx, Request{Query: q, First: 20, SkipHighlights: true, SkipFacets: true, SkipStoredFields: true})
				require.NoError(b, err)
			}
			i := 0
			b.ReportAllocs()
			cpu0 := catalogtest.CPUTime()
			for b.Loop() {
				req := Request{Query: qs[i%len(qs)], First: 20, SkipHighlights: true, SkipFacets: true, SkipStoredFields: true}
				i++
				if _, err := ix.Search(ctx, req); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64((catalogtest.CPUTime()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
		})
	}
}

// TestEvaluatorScoresAsBleveData is TestEvaluatorScoresAsBleve over the
// data directory LF_BENCH_DATA (see BenchmarkCitizenQueriesData), where
// thousands of services compete: the citizen queries and both relevance
// sets, each also with a place, in English and with filters, three pages.
func TestEvaluatorScoresAsBleveData(t *testing.T) {
	ix := openDataCopy(t, benchData(t))
	plain := func(r Request) (*Result, error) { // the same index through Bleve's searchers
		ix.cur.bleveOnly = true
		defer func() { ix.cur.bleveOnly = false }()
		return ix.Search(ctx, r)
	}
	reqs := comparedRequests(t)
	var n int
	for i, r := range reqs {
		// Hits only, with facets, with facets and stored fields.
		r.SkipHighlights, r.SkipFacets, r.SkipStoredFields = true, i%3 == 0, i%3 != 2
		for page := 0; page < 3; page++ {
			got, gotErr := ix.Search(ctx, r)
			want, wantErr := plain(r)
			require.Equal(t, wantErr, gotErr, "%+v", r)
			n++
			if !assert.Equal(t, want, got, "%+v", r) {
				return
			}
			if want == nil || !want.HasNextPage {
				break
			}
			r.After = want.EndCursor
		}
	}
	t.Logf("%d searches compared", n)
	assert.Greater(t, ix.cur.evaluated.Load(), uint64(n*9/10))
}

func benchData(tb testing.TB) string {
	dir := os.Getenv("LF_BENCH_DATA")
	if dir == "" {
		tb.Skip("LF_BENCH_DATA names a data directory to search (gen --scale L)")
	}
	return dir
}

// openDataCopy opens the store of the data directory read-only and a copy
// of its search index.
func openDataCopy(tb testing.TB, dir string) *Index {
	st, err := catalog.Open(filepath.Join(dir, "catalog.db"), catalog.Options{ReadOnly: true})
	require.NoError(tb, err)
	tb.Cleanup(func() { st.Close() })
	index := filepath.Join(tb.TempDir(), "search.bleve")
	require.NoError(tb, os.CopyFS(index, os.DirFS(filepath.Join(dir, "search.bleve"))))
	ix, err := Open(index, st, nil)
	require.NoError(tb, err)
	tb.Cleanup(func() { ix.Close() })
	return ix
}
