package graph_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leistungsfinder/leistungsfinder/catalog"
)

// TestSuggestOffersLocalTermsOfThePlace: a municipality's published local
// terms complete what people type at its places, as a portal's search box
// asks for them; never at another place, never without a place, and never
// a local addition that is a draft or was rejected.
func TestSuggestOffersLocalTermsOfThePlace(t *testing.T) {
	t.Parallel() // a store of its own: runs beside the other tests
	srv, st, ix := searchServer(t)
	ctx := context.Background()
	const (
		eschwege = "066360003003"
		kassel   = "066110000000"
		lostProp = "99089017152000" // Fundsache abgeben / abholen
	)
	stateToken, _, err := st.CreateEditor(ctx, nil, catalog.Editor{Name: "Landesredaktion", Role: catalog.AccessStateEditor})
	require.NoError(t, err)
	tokens := map[string]string{}
	for name, ars := range map[string]string{"Stadt Eschwege": eschwege, "Stadt Kassel": kassel} {
		tokens[ars], _, err = st.CreateEditor(ctx, nil, catalog.Editor{Name: name, Role: catalog.AccessMunicipalEditor, Scopes: []string{ars}})
		require.NoError(t, err)
	}
	// propose writes local terms as the municipality's editor; submitted,
	// they are reviewed with decision ("" leaves them a draft).
	propose := func(ars, text, decision string) {
		t.Helper()
		var prop struct{ ProposeLocalTerms struct{ ID string } }
		require.Empty(t, call(t, srv, tokens[ars], `mutation($ars: String!, $text: String!) { proposeLocalTerms(leikaKey: "`+lostProp+`", ars: $ars,
			terms: [{text: $text, lang: DE}]) { id } }`, map[string]any{"ars": ars, "text": text}, &prop))
		if decision == "" {
			return
		}
		id := map[string]any{"id": prop.ProposeLocalTerms.ID}
		require.Empty(t, call(t, srv, tokens[ars], `mutation($id: ID!) { submitChangeRequest(id: $id) { state } }`, id, nil))
		require.Empty(t, call(t, srv, stateToken, `mutation($id: ID!) { reviewChangeRequest(id: $id, decision: `+decision+`, comment: "geprüft") { state } }`, id, nil))
	}
	propose(eschwege, "Fundbüro am Obermarkt", "APPROVE")
	propose(eschwege, "Schlüsselamt Werra", "REJECT")
	propose(eschwege, "Fundkiste Stadtmitte", "")
	propose(kassel, "Fundbüro Königsplatz", "APPROVE")
	require.NoError(t, ix.CatchUp(ctx))

	type suggestion struct {
		Text    string
		Service struct{ LeikaKeys []string }
	}
	suggest := func(prefix string, ars any) []suggestion {
		t.Helper()
		var r struct{ Suggest []suggestion }
		require.Empty(t, call(t, srv, "", `query($p: String!, $ars: String) { suggest(prefix: $p, ars: $ars) { text service { leikaKeys } } }`,
			map[string]any{"p": prefix, "ars": ars}, &r))
		return r.Suggest
	}
	texts := func(ss []suggestion) []string {
		var out []string
		for _, s := range ss {
			out = append(out, s.Text)
		}
		return out
	}

	got := suggest("fundb", eschwege)
	require.NotEmpty(t, got)
	assert.Equal(t, "Fundbüro am Obermarkt", got[0].Text, "the place's local term first: %v", texts(got))
	assert.Equal(t, []string{lostProp}, got[0].Service.LeikaKeys)
	assert.NotContains(t, texts(got), "Fundbüro Königsplatz", "Kassel's local term is not Eschwege's")
	assert.Contains(t, texts(suggest("fundbüro am ob", eschwege)), "Fundbüro am Obermarkt", "several words, the last one typed halfway")
	assert.Contains(t, texts(suggest("obermar", eschwege)), "Fundbüro am Obermarkt", "any word of the term")

	assert.Contains(t, texts(suggest("fundb", kassel)), "Fundbüro Königsplatz")
	assert.NotContains(t, texts(suggest("fundb", kassel)), "Fundbüro am Obermarkt", "Eschwege's local term is not Kassel's")
	for _, s := range suggest("fundb", nil) {
		assert.NotContains(t, []string{"Fundbüro am Obermarkt", "Fundbüro Königsplatz"}, s.Text, "no local term without a place")
	}
	assert.NotContains(t, texts(suggest("schlüsselamt", eschwege)), "Schlüsselamt Werra", "a rejected addition")
	assert.NotContains(t, texts(suggest("fundki", eschwege)), "Fundkiste Stadtmitte", "a draft")
}
