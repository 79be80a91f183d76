package graph_test

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/catalog/catalogtest"
	"github.com/leistungsfinder/leistungsfinder/graph"
)

// smallServer is a server over a store with a few regions only: enough
// for writes, without the time the demo takes to load.
func smallServer(t *testing.T) (*httptest.Server, *catalog.Store) {
	t.Helper()
	st := catalogtest.Open(t, catalog.Options{Portal: "HE"})
	catalogtest.PutRegions(t, st)
	return serve(t, graph.Options{Store: st}), st
}

// TestHostilePlainStrings: a street with a NUL byte, a city with an escape
// sequence and a contact name with U+202E are refused with INVALID naming
// the field and the rule; nothing is stored.
func TestHostilePlainStrings(t *testing.T) {
	srv, st := smallServer(t)
	token, _, err := st.CreateEditor(context.Background(), nil, catalog.Editor{Name: "Landesredaktion", Role: catalog.AccessStateEditor})
	require.NoError(t, err)
	const mutation = `mutation($input: OfficeInput!) { createOffice(input: $input) { id } }`
	office := func(street, city, contact string) map[string]any {
		return map[string]any{"name": map[string]any{"de": "Magistrat"}, "kind": "MUNICIPALITY", "ars": "066360003003",
			"addresses": []any{map[string]any{"kind": "VISITOR", "street": street, "postalCode": "37269", "city": city}},
			"contacts":  []any{map[string]any{"name": contact}}}
	}
	for name, c := range map[string]struct {
		input       map[string]any
		field, rule string
	}{
		"NUL":      {office("Obermarkt\x0022", "Eschwege", "Frau Meier"), "addresses[0].street", "characters"},
		"Escape":   {office("Obermarkt 22", "Eschwege\x1b[2J", "Frau Meier"), "addresses[0].city", "characters"},
		"Override": {office("Obermarkt 22", "Eschwege", "Frau \u202eMeier"), "contacts[0].name", "bidi"},
	} {
		t.Run(name, func(t *testing.T) {
			rev := st.Revision()
			errs := call(t, srv, token, mutation, map[string]any{"input": c.input}, nil)
			require.NotEmpty(t, errs)
			var fields, rules []any
			for _, e := range errs {
				assert.Equal(t, "INVALID", e.Extensions["code"])
				fields = append(fields, e.Extensions["field"])
				rules = append(rules, e.Extensions["rule"])
			}
			assert.Contains(t, fields, c.field)
			assert.Contains(t, rules, c.rule)
			assert.Equal(t, rev, st.Revision(), "nothing stored")
		})
	}
}
