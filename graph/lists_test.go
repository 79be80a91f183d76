package graph_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/graph"
)

// TestRegionLists: an editor lists the online services and the
// responsibilities kept in the region, as the console does, and finds the
// ones just created there, and not those of another region; an office
// answers its parent, so a complete update can keep it.
func TestRegionLists(t *testing.T) {
	t.Parallel() // a store of its own: runs beside the other tests
	srv, st := editableServer(t, graph.RateLimits{})
	token, _, err := st.CreateEditor(context.Background(), nil, catalog.Editor{Name: "Stadt Eschwege", Role: catalog.AccessMunicipalEditor, Scopes: []string{"066360003003"}})
	require.NoError(t, err)

	var created struct {
		CreateOnlineService struct{ ID string }
		SetResponsibility   struct{ ID string }
	}
	require.Empty(t, call(t, srv, token, `mutation { createOnlineService(input: {title: {de: "Hundesteuer online"},
		links: [{url: "https://eschwege.example/hund"}], trustLevel: SUBSTANTIAL, ars: "066360003003",
		validFrom: "2026-01-01T00:00:00Z"}) { id } }`, nil, &created))
	require.Empty(t, call(t, srv, token, `mutation($os: ID!) { setResponsibility(input: {leikaKey: "99008001012000", ars: "066360003003", onlineServiceId: $os}) { id } }`,
		map[string]any{"os": created.CreateOnlineService.ID}, &created))

	type list struct {
		TotalCount int
		PageInfo   struct{ HasNextPage bool }
		Nodes      []struct {
			ID, LeikaKey, Title string
			ValidFrom           *string
			Region              struct{ Ars string }
			OnlineService       *struct{ ID string }
		}
	}
	var got struct{ OnlineServices, Responsibilities list }
	q := `query($ars: String!) {
		onlineServices(ars: $ars, first: 100) { totalCount pageInfo { hasNextPage } nodes { id title validFrom region { ars } } }
		responsibilities(ars: $ars, first: 100) { totalCount pageInfo { hasNextPage } nodes { id leikaKey region { ars } onlineService { id } } } }`
	require.Empty(t, call(t, srv, token, q, map[string]any{"ars": "066360003003"}, &got))
	var os, resp bool
	for _, n := range got.OnlineServices.Nodes {
		assert.Equal(t, "066360003003", n.Region.Ars)
		if n.ID == created.CreateOnlineService.ID {
			os = true
			assert.Equal(t, "Hundesteuer online", n.Title)
			if assert.NotNil(t, n.ValidFrom) {
				assert.Equal(t, "2026-01-01T00:00:00Z", *n.ValidFrom)
			}
		}
	}
	for _, n := range got.Responsibilities.Nodes {
		assert.Equal(t, "066360003003", n.Region.Ars)
		if n.ID == created.SetResponsibility.ID {
			resp = true
			assert.Equal(t, "99008001012000", n.LeikaKey)
			assert.Equal(t, created.CreateOnlineService.ID, n.OnlineService.ID)
		}
	}
	assert.True(t, os, "the new online service is not listed: %+v", got.OnlineServices)
	assert.True(t, resp, "the new responsibility is not listed: %+v", got.Responsibilities)
	assert.Equal(t, len(got.Responsibilities.Nodes), got.Responsibilities.TotalCount)

	// Kassel's lists hold none of Eschwege's records.
	require.Empty(t, call(t, srv, "", q, map[string]any{"ars": "066110000000"}, &got))
	for _, n := range got.Responsibilities.Nodes {
		assert.NotEqual(t, created.SetResponsibility.ID, n.ID)
		assert.Equal(t, "066110000000", n.Region.Ars)
	}
	// A district's key lists its municipalities' records too.
	require.Empty(t, call(t, srv, "", q, map[string]any{"ars": "066360000000"}, &got))
	assert.GreaterOrEqual(t, got.Responsibilities.TotalCount, 1)

	// Paging: first: 1 gives one node and a next page.
	require.Empty(t, call(t, srv, "", `{ responsibilities(ars: "066360000000", first: 1) { totalCount pageInfo { hasNextPage } nodes { id } } }`, nil, &got))
	assert.Len(t, got.Responsibilities.Nodes, 1)
	assert.Equal(t, got.Responsibilities.TotalCount > 1, got.Responsibilities.PageInfo.HasNextPage)

	// An office answers its parent.
	var unit struct{ CreateOffice struct{ ParentID string } }
	require.Empty(t, call(t, srv, token, `mutation { createOffice(input: {name: {de: "Bürgerbüro Eschwege"}, kind: MUNICIPALITY,
		ars: "066360003003", parentId: "HE.OE.0000000406"}) { parentId } }`, nil, &unit))
	assert.Equal(t, "HE.OE.0000000406", unit.CreateOffice.ParentID)

	// A bad key is INVALID, an unknown one NOT_FOUND.
	errs := call(t, srv, "", `{ onlineServices(ars: "0663") { totalCount } }`, nil, nil)
	require.NotEmpty(t, errs)
	assert.Equal(t, "INVALID", errs[0].Extensions["code"])
	errs = call(t, srv, "", `{ responsibilities(ars: "069990000000") { totalCount } }`, nil, nil)
	require.NotEmpty(t, errs)
	assert.Equal(t, "NOT_FOUND", errs[0].Extensions["code"])
}
