package search

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/i18n"
)

// TestExplainAgreesWithSearchOnPlaces asks Explain about services the
// search finds at a place only through a responsibility that is not the
// obvious one: an online service of the Bund, or a responsibility under
// the service's second LeiKa key. Explain must say what the search does.
func TestExplainAgreesWithSearchOnPlaces(t *testing.T) {
	f := newFixture(t)
	const keyFirst, keySecond = "99123456001000", "99123456002000"
	require.NoError(t, f.st.Update(ctx, func(tx *catalog.Tx) error {
		s := &catalog.Service{Status: catalog.StatusPublished, LeikaKeys: []string{keyFirst, keySecond},
			Texts:      map[catalog.Module]i18n.Text{catalog.ModuleName: i18n.German("Zweitschlüsselbescheinigung ausstellen")},
			Categories: []string{"Test"}, Addressees: []catalog.Addressee{catalog.AddresseeCitizen}}
		if err := tx.Put(s, catalog.Write{Actor: "test"}); err != nil {
			return err
		}
		return tx.Put(&catalog.Responsibility{LeikaKey: keySecond, RegionKey: arsEschwege, OfficeID: f.offices[arsEschwege],
			Role: catalog.RoleResponsible}, catalog.Write{Actor: "test"})
	}))
	ix := openMem(t, f.st)
	for _, c := range []struct{ name, query, key, at string }{
		{"OnlineOnly", "Kindergeld", keyKindergeld, catalog.Bund},
		{"SecondKey", "Zweitschlüsselbescheinigung", keyFirst, arsEschwege},
	} {
		t.Run(c.name, func(t *testing.T) {
			res, err := ix.Search(ctx, Request{Query: c.query, ARS: arsEschwege})
			require.NoError(t, err)
			require.NotEmpty(t, res.Hits, "the search finds it in Eschwege")
			ex, err := ix.Explain(ctx, c.query, arsEschwege, c.key)
			require.NoError(t, err)
			require.Len(t, ex.Services, 1)
			s := ex.Services[0]
			assert.Equal(t, res.Hits[0].ServiceID, s.ServiceID)
			assert.True(t, s.Responsible, "Explain: %v", ex.Reasons)
			assert.Equal(t, []string{c.at}, s.ResponsibleAt)
			assert.Equal(t, 1, s.Rank)
			assert.NotContains(t, strings.Join(ex.Reasons, " "), "no responsibility")
		})
	}
}
