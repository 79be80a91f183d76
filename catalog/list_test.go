package catalog_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/i18n"
)

func TestListServices(t *testing.T) {
	st := mustOpen(t)
	seedRegions(t, st)
	office := newOffice("Amt", "066360003003", "Markt 1")
	put(t, st, office, catalog.Write{})
	// Names chosen so that German collation differs from byte order
	// (Ä sorts with A, before B; lower case does not sort after Z).
	names := []struct{ de, en string }{
		{"Zulassung", "Registration"}, {"Änderung", "Change"}, {"Bauantrag", "Building permit"},
		{"abmelden", ""}, {"Anmeldung", "Application"}, {"Öffnung", "Opening"},
	}
	for i, n := range names {
		s := &catalog.Service{Status: catalog.StatusPublished, LeikaKeys: []string{fmt.Sprintf("9900000000%04d", i)},
			Texts: map[catalog.Module]i18n.Text{catalog.ModuleName: i18n.Bilingual(n.de, n.en)}}
		if i%2 == 0 {
			s.Addressees = []catalog.Addressee{catalog.AddresseeBusiness}
		}
		put(t, st, s, catalog.Write{})
		if i < 2 {
			put(t, st, &catalog.Responsibility{LeikaKey: s.LeikaKeys[0], RegionKey: "066360000000", OfficeID: office.ID,
				Role: catalog.RoleResponsible}, catalog.Write{})
		}
	}
	draft := &catalog.Service{Status: catalog.StatusDraft, LeikaKeys: []string{"99000000009999"},
		Texts: map[catalog.Module]i18n.Text{catalog.ModuleName: i18n.German("Baumfällung")}}
	put(t, st, draft, catalog.Write{})

	list := func(f catalog.ServiceListFilter, pg catalog.Page) ([]string, *catalog.ServicePage) {
		t.Helper()
		var page *catalog.ServicePage
		require.NoError(t, st.ViewShared(ctx, func(tx *catalog.Tx) (err error) { page, err = tx.ListServices(f, pg); return err }))
		var out []string
		for _, s := range page.Services {
			v, _, _ := s.Name().Pick(f.Lang)
			out = append(out, v.Value)
		}
		return out, page
	}
	all := catalog.Page{Limit: 100, Count: true}

	got, page := list(catalog.ServiceListFilter{}, all)
	assert.Equal(t, []string{"abmelden", "Änderung", "Anmeldung", "Bauantrag", "Öffnung", "Zulassung"}, got,
		"published only, in German order")
	assert.Equal(t, 6, page.Total)
	assert.False(t, page.More)

	got, _ = list(catalog.ServiceListFilter{Lang: i18n.EN}, all)
	assert.Equal(t, []string{"abmelden", "Application", "Building permit", "Change", "Opening", "Registration"}, got,
		"English names, German where there is none")

	got, _ = list(catalog.ServiceListFilter{Unpublished: true}, all)
	assert.Equal(t, []string{"abmelden", "Änderung", "Anmeldung", "Bauantrag", "Baumfällung", "Öffnung", "Zulassung"}, got,
		"the editorial office sees drafts in the same order")

	got, page = list(catalog.ServiceListFilter{}, catalog.Page{Offset: 2, Limit: 2})
	assert.Equal(t, []string{"Anmeldung", "Bauantrag"}, got)
	assert.True(t, page.More)
	assert.Equal(t, -1, page.Total, "not counted unless asked")
	_, page = list(catalog.ServiceListFilter{}, catalog.Page{Offset: 4, Limit: 2, Count: true})
	assert.False(t, page.More)
	assert.Equal(t, 6, page.Total)

	got, page = list(catalog.ServiceListFilter{Addressee: catalog.AddresseeBusiness}, all)
	assert.Equal(t, []string{"Anmeldung", "Bauantrag", "Zulassung"}, got)
	assert.Equal(t, 3, page.Total)

	got, _ = list(catalog.ServiceListFilter{ARS: "066360003003"}, all)
	assert.Equal(t, []string{"Änderung", "Zulassung"}, got, "offered at Eschwege through the district")
	got, _ = list(catalog.ServiceListFilter{ARS: "066110000000"}, all)
	assert.Empty(t, got)

	_, err := func() (*catalog.ServicePage, error) {
		var p *catalog.ServicePage
		err := st.View(ctx, func(tx *catalog.Tx) (err error) {
			p, err = tx.ListServices(catalog.ServiceListFilter{ARS: "0663"}, all)
			return err
		})
		return p, err
	}()
	assert.Equal(t, catalog.EINVALID, catalog.ErrorCode(err))

	// Renaming and publishing move a service in the index.
	res := apply(t, st, catalog.UpdateService{ID: draft.ID, ExpectedRevision: revOf(draft), Patch: catalog.ServicePatch{
		Modules: map[catalog.Module]catalog.TextPatch{catalog.ModuleName: {i18n.DE: {Value: "Ärger melden"}}}}})
	apply(t, st, catalog.PublishService{ID: draft.ID, ExpectedRevision: revOf(res.Record)})
	got, _ = list(catalog.ServiceListFilter{}, all)
	assert.Equal(t, []string{"abmelden", "Änderung", "Anmeldung", "Ärger melden", "Bauantrag", "Öffnung", "Zulassung"}, got)
}

func TestVisibleService(t *testing.T) {
	st := mustOpen(t)
	seedRegions(t, st)
	s := newService()
	s.Status = catalog.StatusDraft
	put(t, st, s, catalog.Write{})
	see := func(p *catalog.Principal, id, leika string) error {
		return st.View(ctx, func(tx *catalog.Tx) error { _, err := tx.VisibleService(p, id, leika, st.Now()); return err })
	}
	assert.NoError(t, see(stateEditor, s.ID, ""))
	assert.NoError(t, see(stateEditor, "", gewerbe), "the editorial office finds a draft by its key")
	assert.Equal(t, catalog.ENOTFOUND, catalog.ErrorCode(see(catalog.Anonymous(""), s.ID, "")), "drafts are for the editorial office")
	municipal := &catalog.Principal{Role: catalog.AccessMunicipalEditor, Editor: &catalog.Editor{ID: "ED.2", Scopes: []string{"066360003003"}}}
	assert.Equal(t, catalog.ENOTFOUND, catalog.ErrorCode(see(municipal, "", gewerbe)))
	assert.Equal(t, catalog.EINVALID, catalog.ErrorCode(see(nil, "", "")))
}
