package catalog_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/i18n"
)

func TestLocalServiceWalksUpTheHierarchy(t *testing.T) {
	st := mustOpen(t)
	seedRegions(t, st)
	svc := newService()
	put(t, st, svc, catalog.Write{})
	eschwege := newOffice("Magistrat der Stadt Eschwege", "066360003003", "Obermarkt 22")
	district := newOffice("Kreisausschuss des Werra-Meißner-Kreises", "066360000000", "Schlossplatz 1")
	district.Kind = catalog.OfficeDistrict
	put(t, st, eschwege, catalog.Write{})
	put(t, st, district, catalog.Write{})
	online := &catalog.OnlineService{Title: i18n.German("Gewerbe online"), RegionKey: "000000000000",
		Links: []catalog.Link{{URL: "https://example.org/gewerbe"}}}
	put(t, st, online, catalog.Write{})
	for _, r := range []*catalog.Responsibility{
		{LeikaKey: gewerbe, RegionKey: "066360003003", OfficeID: eschwege.ID, Role: catalog.RoleResponsible},
		{LeikaKey: gewerbe, RegionKey: "066360000000", OfficeID: district.ID, Role: catalog.RoleResponsible},
		{LeikaKey: gewerbe, RegionKey: "000000000000", OnlineServiceID: online.ID, Role: catalog.RoleResponsible},
	} {
		put(t, st, r, catalog.Write{})
	}
	now := time.Now()
	cases := []struct {
		name, ars, office, from string
	}{
		{"OwnOffice", "066360003003", eschwege.ID, "066360003003"},
		{"InheritedFromDistrict", "066360001001", district.ID, "066360000000"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			require.NoError(t, st.View(ctx, func(tx *catalog.Tx) error {
				ls, err := tx.LocalService(gewerbe, c.ars, now)
				require.NoError(t, err)
				require.Len(t, ls.Offices, 1)
				assert.Equal(t, c.office, ls.Offices[0].ID)
				assert.Equal(t, c.from, ls.Offices[0].From.ID)
				require.Len(t, ls.OnlineServices, 1)
				assert.Equal(t, catalog.LevelBund, ls.OnlineServices[0].From.Level)
				return nil
			}))
		})
	}
	t.Run("ErrUnknownRegion", func(t *testing.T) {
		require.NoError(t, st.View(ctx, func(tx *catalog.Tx) error {
			_, err := tx.LocalService(gewerbe, "069990000000", now)
			assert.Equal(t, catalog.ENOTFOUND, catalog.ErrorCode(err))
			_, err = tx.LocalService(gewerbe, "06636", now)
			assert.Equal(t, catalog.EINVALID, catalog.ErrorCode(err))
			_, err = tx.LocalService("123", "066360003003", now)
			assert.Equal(t, catalog.EINVALID, catalog.ErrorCode(err))
			return nil
		}))
	})
}

func TestSpecialisationsMergeFromGeneralToSpecific(t *testing.T) {
	st := mustOpen(t)
	seedRegions(t, st)
	put(t, st, newService(), catalog.Write{})
	specs := []*catalog.Specialisation{
		{LeikaKey: gewerbe, RegionKey: "066360000000", Module: catalog.ModuleFullText, Mode: catalog.ModeAppend,
			Text: i18n.Bilingual("<p>Kreis.</p>", "<p>District.</p>"), Status: catalog.StatusPublished},
		{LeikaKey: gewerbe, RegionKey: "066360003003", Module: catalog.ModuleFullText, Mode: catalog.ModeAppend,
			Text: i18n.German("Eschwege."), Status: catalog.StatusPublished},
		{LeikaKey: gewerbe, RegionKey: "066360003003", Module: catalog.ModuleShortText, Mode: catalog.ModeReplace,
			Text: i18n.German("<p>Nur Eschwege.</p>"), Status: catalog.StatusPublished},
		{LeikaKey: gewerbe, RegionKey: "066360003003", Module: catalog.ModuleNotes, Mode: catalog.ModeAppend,
			Text: i18n.German("<p>Entwurf.</p>"), Status: catalog.StatusDraft},
	}
	for _, s := range specs {
		put(t, st, s, catalog.Write{})
	}
	require.NoError(t, st.View(ctx, func(tx *catalog.Tx) error {
		ls, err := tx.LocalService(gewerbe, "066360003003", time.Now())
		require.NoError(t, err)
		full := ls.Text(catalog.ModuleFullText)
		assert.Equal(t, "<p>Zentral.</p>\n<p>Kreis.</p>\n<p>Eschwege.</p>", full[i18n.DE].Value)
		assert.Equal(t, "<p>Central.</p>\n<p>District.</p>", full[i18n.EN].Value, "English gets only English additions")
		short := ls.Text(catalog.ModuleShortText)
		assert.Equal(t, "<p>Nur Eschwege.</p>", short[i18n.DE].Value)
		_, _, fallback := short.Pick(i18n.EN)
		assert.True(t, fallback, "a German-only replacement must not show the replaced English text")
		assert.Nil(t, ls.Text(catalog.ModuleNotes), "drafts are not applied")

		other, err := tx.LocalService(gewerbe, "066110000000", time.Now())
		require.NoError(t, err)
		assert.Equal(t, "<p>Zentral.</p>", other.Text(catalog.ModuleFullText)[i18n.DE].Value, "Kassel sees no Werra-Meißner addition")
		return nil
	}))
}

func TestFindRegions(t *testing.T) {
	st := mustOpen(t)
	seedRegions(t, st)
	cases := []struct{ query, want string }{
		{"Eschwege", "066360003003"},
		{"eschw", "066360003003"},
		{"3726", "066360003003"},
		{"Meissner", "066360000000"},
		{"meißner", "066360000000"},
		{"Allendorf", "066360001001"},
		{"Sooden", "066360001001"},
	}
	for _, c := range cases {
		t.Run(c.query, func(t *testing.T) {
			require.NoError(t, st.View(ctx, func(tx *catalog.Tx) error {
				got, err := tx.FindRegions(c.query, time.Now())
				require.NoError(t, err)
				require.NotEmpty(t, got)
				assert.Equal(t, c.want, got[0].ID)
				return nil
			}))
		})
	}
}

func TestAncestors(t *testing.T) {
	assert.Equal(t, []string{"066360003003", "066360003000", "066360000000", "066000000000", "060000000000", "000000000000"},
		catalog.Ancestors("066360003003"))
	assert.Equal(t, []string{"066110000000", "066000000000", "060000000000", "000000000000"}, catalog.Ancestors("066110000000"))
	assert.Equal(t, []string{"000000000000"}, catalog.Ancestors("000000000000"))
	assert.Nil(t, catalog.Ancestors("0661"))
	assert.Equal(t, "06636", catalog.TrimARS("066360000000"))
	assert.True(t, catalog.Contains("06636", "066360003003"))
	assert.False(t, catalog.Contains("06636", "066110000000"))
}

func FuzzAncestors(f *testing.F) {
	f.Add("066360003003")
	f.Add("000000000000")
	f.Add("x")
	f.Fuzz(func(t *testing.T, s string) {
		a := catalog.Ancestors(s)
		if !catalog.ValidARS(s) {
			if a != nil {
				t.Fatalf("ancestors of invalid key %q: %v", s, a)
			}
			return
		}
		if a[0] != s || a[len(a)-1] != catalog.Bund {
			t.Fatalf("ancestors of %q: %v", s, a)
		}
	})
}

// A change entered ahead with validFrom takes over on its day; reads for a
// date answer what is valid then.
func TestScheduledVersion(t *testing.T) {
	st := mustOpen(t)
	seedRegions(t, st)
	current := newService()
	put(t, st, current, catalog.Write{})
	from := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	next := newService()
	next.Fees = []catalog.Fee{{Kind: catalog.FeeFixed, Amount: 5000}}
	next.Validity.From = &from
	put(t, st, next, catalog.Write{})
	cases := []struct {
		name string
		at   time.Time
		want string
	}{
		{"Before", from.AddDate(0, 0, -1), current.ID},
		{"OnTheDay", from, next.ID},
		{"After", from.AddDate(1, 0, 0), next.ID},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			require.NoError(t, st.View(ctx, func(tx *catalog.Tx) error {
				got, err := tx.ServiceForPlace(gewerbe, "066360003003", c.at)
				require.NoError(t, err)
				assert.Equal(t, c.want, got.ID)
				byKey, err := tx.ServiceByLeika(gewerbe, false, c.at)
				require.NoError(t, err)
				assert.Equal(t, c.want, byKey.ID)
				return nil
			}))
		})
	}
	t.Run("ExpiredIsGone", func(t *testing.T) {
		to := time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC)
		old := newService()
		old.LeikaKeys = []string{"99050012070000"}
		old.Validity.To = &to
		put(t, st, old, catalog.Write{})
		require.NoError(t, st.View(ctx, func(tx *catalog.Tx) error {
			_, err := tx.ServiceForPlace("99050012070000", "066360003003", to.AddDate(0, 0, 1))
			assert.Equal(t, catalog.ENOTFOUND, catalog.ErrorCode(err))
			_, err = tx.ServiceForPlace("99050012070000", "066360003003", to)
			assert.NoError(t, err, "validTo is inclusive")
			return nil
		}))
	})
}

// A service mirrored from Bavaria answers for Bavarian places; Hessian
// places keep the Hessian description of the same LeiKa key.
func TestMirroredServiceForItsState(t *testing.T) {
	st := mustOpen(t)
	seedRegions(t, st) // with Bayern and München
	he := newService()
	he.RegionKey = "060000000000"
	put(t, st, he, catalog.Write{})
	by := newService()
	by.ID, by.Origin, by.RegionKey = "BY.LB.0000000001", "BY", "090000000000"
	by.Texts[catalog.ModuleName] = i18n.German("Gewerbeanzeige (Bayern)")
	put(t, st, by, catalog.Write{Mirror: true})
	now := time.Now()
	require.NoError(t, st.View(ctx, func(tx *catalog.Tx) error {
		got, err := tx.ServiceForPlace(gewerbe, "091620000000", now)
		require.NoError(t, err)
		assert.Equal(t, "BY", got.Origin)
		got, err = tx.ServiceForPlace(gewerbe, "066360003003", now)
		require.NoError(t, err)
		assert.Equal(t, "HE", got.Origin)
		return nil
	}))
}

// A responsibility entered ahead takes over on its day; one that ended is
// not used after its last day.
func TestResponsibilityValidity(t *testing.T) {
	st := mustOpen(t)
	seedRegions(t, st)
	put(t, st, newService(), catalog.Write{})
	oldOffice := newOffice("Altes Amt", "066360003003", "Markt 1")
	newOff := newOffice("Neues Amt", "066360003003", "Markt 2")
	put(t, st, oldOffice, catalog.Write{})
	put(t, st, newOff, catalog.Write{})
	switchDay := time.Date(2027, 7, 1, 0, 0, 0, 0, time.UTC)
	lastDay := switchDay.AddDate(0, 0, -1)
	put(t, st, &catalog.Responsibility{LeikaKey: gewerbe, RegionKey: "066360003003", OfficeID: oldOffice.ID, Role: catalog.RoleResponsible,
		Validity: catalog.Validity{To: &lastDay}}, catalog.Write{})
	put(t, st, &catalog.Responsibility{LeikaKey: gewerbe, RegionKey: "066360003003", OfficeID: newOff.ID, Role: catalog.RoleResponsible,
		Validity: catalog.Validity{From: &switchDay}}, catalog.Write{})
	for _, c := range []struct {
		at   time.Time
		want string
	}{{lastDay, oldOffice.ID}, {switchDay, newOff.ID}} {
		require.NoError(t, st.View(ctx, func(tx *catalog.Tx) error {
			ls, err := tx.LocalService(gewerbe, "066360003003", c.at)
			require.NoError(t, err)
			require.Len(t, ls.Offices, 1)
			assert.Equal(t, c.want, ls.Offices[0].ID, "on %s", c.at.Format(time.DateOnly))
			return nil
		}))
	}
}
