package search

import (
	"testing"

	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Leaving out the terms a field does not have must change neither the hits
// nor their scores: a federated search merges the hits of several portals
// by score.
func TestAbsentTermsKeepScores(t *testing.T) {
	_, ix := demoIndex(t)
	p, release, err := ix.acquire()
	require.NoError(t, err)
	defer release()
	pruned := 0
	for _, q := range append(citizenQueries(t), "residence permit", "hundesteuer kassel", "einwohnermeldeamt", "persnalausweis") {
		t.Run(q, func(t *testing.T) {
			var scores [2]map[string]float64
			var leaves [2]int
			for i, keep := range []bool{true, false} {
				pl, err := ix.newPlan(ctx, p, q, "", "")
				require.NoError(t, err)
				pl.keepAbsent = keep
				leaves[i] = countLeaves(pl.query())
				res, err := pl.search(ctx, Filter{}, 100, 0, nil)
				pl.close()
				require.NoError(t, err)
				require.NotNil(t, res)
				scores[i] = map[string]float64{}
				for _, h := range res.Hits {
					scores[i][h.ID] = h.Score
				}
			}
			require.Equal(t, len(scores[0]), len(scores[1]), "the same hits")
			for id, want := range scores[0] {
				assert.InDelta(t, want, scores[1][id], 1e-9*want, id)
			}
			if leaves[1] < leaves[0] {
				pruned++
			}
		})
	}
	assert.Positive(t, pruned, "some query had terms its fields lack")
}

// countLeaves counts the term and phrase queries of q.
func countLeaves(q query.Query) int {
	switch q := q.(type) {
	case *query.ConjunctionQuery:
		return sumLeaves(q.Conjuncts)
	case *query.DisjunctionQuery:
		return sumLeaves(q.Disjuncts)
	case *maxQuery:
		return sumLeaves(q.queries)
	}
	return 1
}

func sumLeaves(qs []query.Query) int {
	n := 0
	for _, q := range qs {
		n += countLeaves(q)
	}
	return n
}
