package search

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/i18n"
)

// The editorial office teaches the search a phrasing by writing a
// dictionary entry; terms in context and life situations are searched like
// any other field of the catalogue.
func TestDictionaryTermsAndSituationsAreCatalogueData(t *testing.T) {
	f := newFixture(t)
	ix := openMem(t, f.st)
	search := func(q string, filter Filter) *Result {
		t.Helper()
		res, err := ix.Search(ctx, Request{Query: q, Filter: filter})
		require.NoError(t, err)
		return res
	}
	require.Zero(t, search("knöllchenautomat", Filter{}).Total, "nothing knows the word yet")

	// A dictionary entry with a life situation.
	moving := &catalog.LifeSituation{Name: i18n.Bilingual("Umzug", "Moving house"), Addressee: catalog.AddresseeCitizen}
	require.NoError(t, f.st.Update(ctx, func(tx *catalog.Tx) error { return tx.Put(moving, catalog.Write{}) }))
	require.NoError(t, f.st.Update(ctx, func(tx *catalog.Tx) error {
		svc, err := tx.Service(f.services[keyWohnsitzAn])
		if err != nil {
			return err
		}
		svc.LifeSituationIDs = []string{moving.ID}
		svc.Terms = []catalog.Term{{Text: "Knöllchenautomat", Lang: "de", Type: "001"}}
		return tx.Put(svc, catalog.Write{})
	}))
	require.NoError(t, ix.CatchUp(ctx))
	res := search("knöllchenautomat", Filter{})
	require.NotZero(t, res.Total, "a term in context is searched")
	assert.Equal(t, keyWohnsitzAn, leikaOf(res.Hits)[0])

	assert.Zero(t, search("kartons schleppen", Filter{}).Total)
	entry := &catalog.Concept{Lang: "de", Phrases: []string{"kartons schleppen"}, LifeSituationIDs: []string{moving.ID}}
	require.NoError(t, f.st.Update(ctx, func(tx *catalog.Tx) error { return tx.Put(entry, catalog.Write{}) }))
	require.NoError(t, ix.CatchUp(ctx))
	res = search("kartons schleppen", Filter{})
	require.NotZero(t, res.Total, "the new dictionary entry is read at the next catch-up")
	assert.Equal(t, keyWohnsitzAn, leikaOf(res.Hits)[0], "the service of the life situation")
	assert.Equal(t, []FacetValue{{Value: moving.ID, Count: 1}}, res.Facets[FacetLifeSituation])

	require.NotZero(t, search("hundesteuer", Filter{}).Total)
	res = search("hundesteuer", Filter{LifeSituationIDs: []string{moving.ID}})
	assert.Zero(t, res.Total, "the filter keeps only services of the situation")

	// An English query reaching a service without an English name is a fallback.
	for _, h := range search("wohnsitz", Filter{}).Hits {
		assert.False(t, h.Fallback)
	}
	res, err := ix.Search(ctx, Request{Query: "knöllchenautomat", Lang: i18n.EN})
	require.NoError(t, err)
	require.NotEmpty(t, res.Hits)
	svcHasEnglish := false
	require.NoError(t, f.st.View(ctx, func(tx *catalog.Tx) error {
		s, err := tx.Service(res.Hits[0].ServiceID)
		svcHasEnglish = err == nil && s.Texts[catalog.ModuleName][i18n.EN].Value != ""
		return err
	}))
	assert.Equal(t, !svcHasEnglish, res.Hits[0].Fallback, "fallback says whether the hit has an English name")
}

// Generic words count less beside a specific one: the health card, not
// lost property, for "gesundheitskarte verloren".
func TestGenericWordsCountLessOnDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the demo catalogue")
	}
	_, ix := demoIndex(t)
	for q, want := range map[string]string{
		"gesundheitskarte verloren": "99134044012000",
		"in rente gehen":            "99114045017001",
	} {
		res, err := ix.Search(ctx, Request{Query: q})
		require.NoError(t, err)
		require.NotEmpty(t, res.Hits, q)
		assert.Contains(t, leikaOf(res.Hits)[:2], want, "%q", q)
		assert.NotEqual(t, "99089017152000", leikaOf(res.Hits)[0], "%q: not lost property first", q)
	}
}
