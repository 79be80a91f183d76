package search

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leistungsfinder/leistungsfinder/catalog"
)

// A municipality's local terms in context find the service for its places
// and nowhere else; a district's for the places of the district. Drafts
// are not searched; a deleted addition is gone at the next catch-up, and a
// rebuilt index has the same.
func TestLocalTermsFindTheServiceOnlyInTheirRegion(t *testing.T) {
	f := newFixture(t)
	ix := openMem(t, f.st)
	local := func(ars string, status catalog.Status, terms ...string) *catalog.Specialisation {
		sp := &catalog.Specialisation{LeikaKey: keyGewerbeAn, RegionKey: ars, Status: status}
		for _, text := range terms {
			sp.Terms = append(sp.Terms, catalog.Term{Text: text, Lang: "de", Type: catalog.DefaultTermType})
		}
		require.NoError(t, f.st.Update(ctx, func(tx *catalog.Tx) error { return tx.Put(sp, catalog.Write{Actor: "test"}) }))
		return sp
	}
	top := func(ix *Index, q, ars string) []string {
		t.Helper()
		res, err := ix.Search(ctx, Request{Query: q, ARS: ars})
		require.NoError(t, err)
		return leikaOf(res.Hits)
	}
	require.NotContains(t, top(ix, "Dietemannschalter", arsEschwege), keyGewerbeAn)

	eschwege := local(arsEschwege, catalog.StatusPublished, "Dietemannschalter", "Wohnungsgeberbestätigung")
	local(arsSooden, catalog.StatusDraft, "Dietemannschalter")
	local(arsWerra, catalog.StatusPublished, "Kreishaus Schlossplatz")
	require.NoError(t, ix.CatchUp(ctx))

	check := func(ix *Index) {
		t.Helper()
		got := top(ix, "Dietemannschalter", arsEschwege)
		if assert.NotEmpty(t, got, "Eschwege's term in Eschwege") {
			assert.Equal(t, keyGewerbeAn, got[0])
		}
		assert.NotContains(t, top(ix, "dietemannschalter", arsSooden), keyGewerbeAn, "a draft of Bad Sooden-Allendorf is not searched")
		assert.NotContains(t, top(ix, "dietemannschalter", arsKassel), keyGewerbeAn, "not in another municipality")
		assert.NotContains(t, top(ix, "dietemannschalter", ""), keyGewerbeAn, "not without a place")
		// The district's term, in each of its municipalities only.
		for _, ars := range []string{arsEschwege, arsSooden} {
			got := top(ix, "kreishaus schlossplatz", ars)
			if assert.NotEmpty(t, got, ars) {
				assert.Equal(t, keyGewerbeAn, got[0], ars)
			}
		}
		assert.NotContains(t, top(ix, "kreishaus schlossplatz", arsKassel), keyGewerbeAn)
		// Weighted like a central term: above a service that has the word
		// only in its full text.
		got = top(ix, "Wohnungsgeberbestätigung", arsEschwege)
		if assert.Len(t, got, 2) {
			assert.Equal(t, []string{keyGewerbeAn, keyWohnsitzAn}, got)
		}
		assert.Equal(t, []string{keyWohnsitzAn}, top(ix, "Wohnungsgeberbestätigung", arsKassel))
		// searchExplain says where the word was found.
		ex, err := ix.Explain(ctx, "Dietemannschalter", arsEschwege, keyGewerbeAn)
		require.NoError(t, err)
		require.Len(t, ex.Services, 1)
		if assert.NotEmpty(t, ex.Services[0].Matches) {
			assert.Equal(t, []string{"local_de " + arsEschwege}, ex.Services[0].Matches[0].Fields)
		}
		assert.Equal(t, 1, ex.Services[0].Rank)
	}
	check(ix)
	check(openMem(t, f.st)) // built from scratch

	require.NoError(t, f.st.Update(ctx, func(tx *catalog.Tx) error {
		return tx.Delete(catalog.KindSpecialisation, eschwege.ID, catalog.Write{Actor: "test"})
	}))
	require.NoError(t, ix.CatchUp(ctx))
	assert.NotContains(t, top(ix, "Dietemannschalter", arsEschwege), keyGewerbeAn, "deleted")
	got := top(ix, "kreishaus schlossplatz", arsEschwege)
	if assert.NotEmpty(t, got) {
		assert.Equal(t, keyGewerbeAn, got[0], "the district's addition stays")
	}
}
