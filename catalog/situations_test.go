package catalog_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/i18n"
)

func editor(role catalog.AccessRole, scopes ...string) catalog.Write {
	return catalog.Write{Principal: &catalog.Principal{Role: role,
		Editor: &catalog.Editor{ID: "ED.1", Name: string(role), Role: role, Scopes: scopes}}}
}

func TestLifeSituationsAreEditedByTheStateEditorialOffice(t *testing.T) {
	st := mustOpen(t)
	seedRegions(t, st)
	family := &catalog.LifeSituation{Name: i18n.Bilingual("Familie", "Family"), Addressee: catalog.AddresseeCitizen, Order: 1}
	put(t, st, family, editor(catalog.AccessStateEditor))
	birth := &catalog.LifeSituation{Name: i18n.Bilingual("Geburt", "Birth"), ParentID: family.ID, Addressee: catalog.AddresseeCitizen}
	put(t, st, birth, editor(catalog.AccessStateEditor))
	founding := &catalog.LifeSituation{Name: i18n.Bilingual("Gründung", "Starting a business"), Addressee: catalog.AddresseeBusiness, Order: 0}
	put(t, st, founding, editor(catalog.AccessStateEditor))
	assert.Equal(t, "HE.LL.0000000001", family.ID)

	t.Run("ErrMunicipalEditor", func(t *testing.T) {
		err := st.Update(ctx, func(tx *catalog.Tx) error {
			return tx.Put(&catalog.LifeSituation{Name: i18n.German("Umzug"), Addressee: catalog.AddresseeCitizen},
				editor(catalog.AccessMunicipalEditor, "066360003003"))
		})
		assert.Equal(t, catalog.EFORBIDDEN, catalog.ErrorCode(err))
	})
	t.Run("ErrUnknownParent", func(t *testing.T) {
		err := st.Update(ctx, func(tx *catalog.Tx) error {
			return tx.Put(&catalog.LifeSituation{Name: i18n.German("X"), ParentID: "HE.LL.0000000099", Addressee: catalog.AddresseeCitizen}, catalog.Write{})
		})
		assert.Equal(t, catalog.EINVALID, catalog.ErrorCode(err))
	})
	t.Run("ErrAddressee", func(t *testing.T) {
		err := st.Update(ctx, func(tx *catalog.Tx) error {
			return tx.Put(&catalog.LifeSituation{Name: i18n.German("X"), Addressee: catalog.AddresseeAdministration}, catalog.Write{})
		})
		assert.Equal(t, catalog.EINVALID, catalog.ErrorCode(err))
	})
	t.Run("TreeOrder", func(t *testing.T) {
		require.NoError(t, st.View(ctx, func(tx *catalog.Tx) error {
			all, err := tx.LifeSituations()
			require.NoError(t, err)
			var ids []string
			for _, l := range all {
				ids = append(ids, l.ID)
			}
			assert.Equal(t, []string{founding.ID, family.ID, birth.ID}, ids, "siblings by order, children after their parent")
			return nil
		}))
	})
	t.Run("ServicesBySituation", func(t *testing.T) {
		svc := newService()
		svc.LifeSituationIDs = []string{birth.ID}
		put(t, st, svc, catalog.Write{})
		require.NoError(t, st.View(ctx, func(tx *catalog.Tx) error {
			assert.Equal(t, []string{svc.ID}, tx.ServicesInSituation(birth.ID))
			assert.Empty(t, tx.ServicesInSituation(family.ID))
			return nil
		}))
		svc.LifeSituationIDs = []string{founding.ID}
		put(t, st, svc, catalog.Write{Expected: catalog.Expect(svc.Revision)})
		require.NoError(t, st.View(ctx, func(tx *catalog.Tx) error {
			assert.Empty(t, tx.ServicesInSituation(birth.ID), "the old assignment's index entry is gone")
			assert.Equal(t, []string{svc.ID}, tx.ServicesInSituation(founding.ID))
			return nil
		}))
	})
}

func TestTermsAndConceptsValidate(t *testing.T) {
	st := mustOpen(t)
	seedRegions(t, st)
	cases := []struct {
		name  string
		rec   catalog.Record
		field string
	}{
		{"TermWithoutText", func() catalog.Record {
			s := newService()
			s.Terms = []catalog.Term{{Text: " ", Lang: "de", Type: "001"}}
			return s
		}(), "terms[0].text"},
		{"TermLanguage", func() catalog.Record {
			s := newService()
			s.Terms = []catalog.Term{{Text: "Knöllchen", Lang: "fr", Type: "001"}}
			return s
		}(), "terms[0].lang"},
		{"TermType", func() catalog.Record {
			s := newService()
			s.Terms = []catalog.Term{{Text: "Knöllchen", Lang: "de", Type: "7"}}
			return s
		}(), "terms[0].type"},
		{"TermTwice", func() catalog.Record {
			s := newService()
			s.Terms = []catalog.Term{{Text: "Perso", Lang: "de", Type: "001"}, {Text: "perso", Lang: "de", Type: "002"}}
			return s
		}(), "terms[1].text"},
		{"ConceptWithoutMeaning", &catalog.Concept{Lang: "de", Phrases: []string{"job verloren"}}, "means"},
		{"ConceptWithoutPhrase", &catalog.Concept{Lang: "de", Means: map[string][]string{"de": {"Arbeitslosengeld"}}}, "phrases"},
		{"AdditionTextAndTerms", &catalog.Specialisation{LeikaKey: gewerbe, RegionKey: "066360003003", Module: catalog.ModuleNotes,
			Mode: catalog.ModeAppend, Text: i18n.German("x"), Terms: []catalog.Term{{Text: "Gewerbeamt", Lang: "de", Type: "001"}},
			Status: catalog.StatusDraft}, "terms"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := st.Update(ctx, func(tx *catalog.Tx) error { return tx.Put(c.rec, catalog.Write{}) })
			require.Equal(t, catalog.EINVALID, catalog.ErrorCode(err), "%v", err)
			var e *catalog.Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, c.field, e.Field)
		})
	}
	t.Run("OK", func(t *testing.T) {
		s := newService()
		s.Terms = []catalog.Term{{Text: "Gewerbeschein", Lang: "de", Type: "001"}, {Text: "trade licence", Lang: "en", Type: "001"}}
		put(t, st, s, catalog.Write{})
		c := &catalog.Concept{Lang: "de", Phrases: []string{"selbstständig machen"}, Means: map[string][]string{"de": {"Gewerbe anmelden"}}}
		put(t, st, c, editor(catalog.AccessStateEditor))
		assert.Equal(t, "HE.SW.0000000001", c.ID)
	})
}

func TestLocalTermsComeWithTheServiceForAPlace(t *testing.T) {
	st := mustOpen(t)
	seedRegions(t, st)
	svc := newService()
	svc.Terms = []catalog.Term{{Text: "Gewerbeschein", Lang: "de", Type: "001"}}
	put(t, st, svc, catalog.Write{})
	put(t, st, &catalog.Responsibility{LeikaKey: gewerbe, RegionKey: "066360003003", OfficeID: func() string {
		o := newOffice("Stadt Eschwege", "066360003003", "Obermarkt 22")
		put(t, st, o, catalog.Write{})
		return o.ID
	}(), Role: catalog.RoleResponsible}, catalog.Write{})

	municipal := editor(catalog.AccessMunicipalEditor, "066360003003")
	var local *catalog.Specialisation
	require.NoError(t, st.Update(ctx, func(tx *catalog.Tx) error {
		res, err := tx.Apply(catalog.ProposeSpecialisation{LeikaKey: gewerbe, RegionKey: "066360003003",
			Terms: []catalog.Term{{Text: "Gewerbeamt Obermarkt", Lang: "de", Type: "001"}}}, municipal)
		if err == nil {
			local = res.Record.(*catalog.Specialisation)
		}
		return err
	}))

	terms := func(ars string) []string {
		var out []string
		require.NoError(t, st.View(ctx, func(tx *catalog.Tx) error {
			ls, err := tx.LocalService(gewerbe, ars, st.Now())
			require.NoError(t, err)
			for _, term := range ls.Terms {
				out = append(out, term.Text)
			}
			return nil
		}))
		return out
	}
	assert.Equal(t, []string{"Gewerbeschein"}, terms("066360003003"), "a draft is not shown")

	require.NoError(t, st.Update(ctx, func(tx *catalog.Tx) error {
		if _, err := tx.Apply(catalog.SubmitChangeRequest{ID: local.ID}, municipal); err != nil {
			return err
		}
		_, err := tx.Apply(catalog.ReviewChangeRequest{ID: local.ID, Approve: true, Comment: "ok"}, editor(catalog.AccessStateEditor))
		return err
	}))
	assert.Equal(t, []string{"Gewerbeschein", "Gewerbeamt Obermarkt"}, terms("066360003003"))
	assert.Equal(t, []string{"Gewerbeschein"}, terms("066360001001"), "another municipality does not see it")
}
