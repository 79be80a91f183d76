package catalog_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/i18n"
)

func TestMayRead(t *testing.T) {
	as := func(role catalog.AccessRole) *catalog.Principal {
		if role == catalog.AccessAnonymous {
			return catalog.Anonymous("")
		}
		return &catalog.Principal{Role: role, Editor: &catalog.Editor{ID: "ED.1", Role: role}}
	}
	want := map[catalog.AccessRole]map[catalog.Reading]string{
		catalog.AccessAnonymous:       {catalog.ReadEditorial: catalog.EUNAUTHENTICATED, catalog.ReadAudit: catalog.EUNAUTHENTICATED, catalog.ReadEditors: catalog.EUNAUTHENTICATED},
		catalog.AccessPeer:            {catalog.ReadEditorial: catalog.EFORBIDDEN, catalog.ReadAudit: catalog.EFORBIDDEN, catalog.ReadEditors: catalog.EFORBIDDEN},
		catalog.AccessMunicipalEditor: {catalog.ReadEditorial: "", catalog.ReadAudit: catalog.EFORBIDDEN, catalog.ReadEditors: catalog.EFORBIDDEN},
		catalog.AccessStateEditor:     {catalog.ReadEditorial: "", catalog.ReadAudit: "", catalog.ReadEditors: catalog.EFORBIDDEN},
		catalog.AccessAdmin:           {catalog.ReadEditorial: "", catalog.ReadAudit: "", catalog.ReadEditors: ""},
	}
	for role, readings := range want {
		for r, code := range readings {
			assert.Equal(t, code, catalog.ErrorCode(as(role).MayRead(r)), "%s reads %s", role, r)
		}
	}
	assert.Equal(t, catalog.EUNAUTHENTICATED, catalog.ErrorCode((*catalog.Principal)(nil).MayRead(catalog.ReadEditorial)))
}

func TestVisibleChangeRequests(t *testing.T) {
	st := mustOpen(t)
	seedRegions(t, st)
	put(t, st, newService(), catalog.Write{})
	for _, ars := range []string{"066360003003", "066360001001"} {
		p := &catalog.Principal{Role: catalog.AccessMunicipalEditor, Editor: &catalog.Editor{ID: "ED." + ars, Name: ars,
			Role: catalog.AccessMunicipalEditor, Scopes: []string{ars}}}
		_, err := st.Apply(ctx, p, catalog.ProposeSpecialisation{LeikaKey: gewerbe, RegionKey: ars, Module: catalog.ModuleNotes,
			Mode: catalog.ModeAppend, Text: i18n.German("Hinweis")}, "")
		require.NoError(t, err)
	}
	eschwege := &catalog.Principal{Role: catalog.AccessMunicipalEditor, Editor: &catalog.Editor{ID: "ED.9",
		Role: catalog.AccessMunicipalEditor, Scopes: []string{"066360003003"}}}
	count := func(p *catalog.Principal) (int, error) {
		var n int
		err := st.View(ctx, func(tx *catalog.Tx) error {
			all, err := tx.VisibleChangeRequests(p, "", "")
			n = len(all)
			return err
		})
		return n, err
	}
	n, err := count(eschwege)
	require.NoError(t, err)
	assert.Equal(t, 1, n, "a municipality sees its own additions")
	n, err = count(stateEditor)
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	_, err = count(catalog.Anonymous(""))
	assert.Equal(t, catalog.EUNAUTHENTICATED, catalog.ErrorCode(err))
}
