package catalog_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/i18n"
)

// Hostile plain strings are refused with INVALID naming the field and the
// rule, and nothing is stored. (Before, NUL bytes, escape sequences and
// U+202E were stored and returned verbatim.)
func TestHostilePlainStringsAreRefused(t *testing.T) {
	st := mustOpen(t)
	seedRegions(t, st)
	cases := []struct {
		name, field, rule string
		edit              func(o *catalog.Office)
	}{
		{"NULInStreet", "addresses[0].street", "characters", func(o *catalog.Office) { o.Addresses[0].Street = "Obermarkt\x0022" }},
		{"EscapeInCity", "addresses[0].city", "characters", func(o *catalog.Office) { o.Addresses[0].City = "Eschwege\x1b[31m" }},
		{"NewlineInCity", "addresses[0].city", "characters", func(o *catalog.Office) { o.Addresses[0].City = "Eschwege\nX-Injected: 1" }},
		{"C1InStreet", "addresses[0].street", "characters", func(o *catalog.Office) { o.Addresses[0].Street = "Markt\u009b2" }},
		{"RLOInContactName", "contacts[0].name", "bidi", func(o *catalog.Office) {
			o.Contacts = []catalog.Contact{{Name: "Frau \u202eredoc.exe"}}
		}},
		{"IsolateInRoom", "contacts[0].room", "bidi", func(o *catalog.Office) {
			o.Contacts = []catalog.Contact{{Name: "Herr Meier", Room: "1.\u2067 12"}}
		}},
		{"InvalidUTF8InStreet", "addresses[0].street", "encoding", func(o *catalog.Office) { o.Addresses[0].Street = "Markt \xff" }},
		{"RLOInLocalizedName", "name.de", "bidi", func(o *catalog.Office) { o.Name = i18n.German("Magistrat \u202e") }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rev := st.Revision()
			o := newOffice("Magistrat der Stadt Eschwege", "066360003003", "Obermarkt 22")
			c.edit(o)
			err := st.Update(ctx, func(tx *catalog.Tx) error { return tx.Put(o, catalog.Write{}) })
			require.Error(t, err)
			assert.Equal(t, catalog.EINVALID, catalog.ErrorCode(err))
			var es catalog.Errors
			require.True(t, errors.As(err, &es), "%v", err)
			found := false
			for _, e := range es {
				if e.Field == c.field && e.Rule == c.rule {
					found = true
				}
			}
			assert.True(t, found, "want %s/%s in %v", c.field, c.rule, err)
			assert.Equal(t, rev, st.Revision(), "nothing stored")
		})
	}
	t.Run("ReasonAndEditorName", func(t *testing.T) {
		o := newOffice("Magistrat der Stadt Eschwege", "066360003003", "Obermarkt 22")
		err := st.Update(ctx, func(tx *catalog.Tx) error { return tx.Put(o, catalog.Write{Reason: "ok\x07"}) })
		assert.Equal(t, catalog.EINVALID, catalog.ErrorCode(err))
		_, _, err = st.CreateEditor(context.Background(), nil, catalog.Editor{Name: "Admin\u202e", Role: catalog.AccessAdmin})
		assert.Equal(t, catalog.EINVALID, catalog.ErrorCode(err))
	})
	t.Run("OrdinaryTextPasses", func(t *testing.T) {
		o := newOffice("Magistrat der Stadt Eschwege", "066360003003", "Obermarkt 22 – Rathaus, 1. OG")
		o.Addresses[0].City = "Eschwege (Werra) ß äöü"
		o.Contacts = []catalog.Contact{{Name: "Dr. Çelik-Müller", Room: "A 1.12"}}
		put(t, st, o, catalog.Write{Reason: "Umzug"})
	})
}
