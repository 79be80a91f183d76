package catalog_test

import (
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/i18n"
)

// FuzzOfficeInput feeds what a GraphQL client may send for an office into
// the catalogue's write path: the answer is a stored office or INVALID
// (never INTERNAL, never a panic), and what is stored holds no control
// character or bidi override in a plain field and passes Check.
func FuzzOfficeInput(f *testing.F) {
	st, err := catalog.Open(filepath.Join(f.TempDir(), "catalog.db"), catalog.Options{Portal: "HE"})
	if err != nil {
		f.Fatal(err)
	}
	defer st.Close()
	seedRegions(f, st)
	f.Add("Magistrat", "<p>Rampe am Eingang</p>", "Obermarkt 22", "37269", "Eschwege", "Frau Meier", "+49 5651 3040", "08:00", "12:00")
	f.Add("Amt\x00", "<script>x</script>", "Markt\u202e1", "3726", "", "\x1b[2J", "mail@", "25:00", "08:00")
	f.Add("", "<a href=\"javascript:x\">x</a>", "", "00000", "Eschwege\n", "Herr \u2067X", "++49", "12:00", "12:00")
	f.Fuzz(func(t *testing.T, name, note, street, postal, city, contact, phone, open, close string) {
		o := &catalog.Office{Name: i18n.German(name), Kind: catalog.OfficeMunicipality, RegionKey: "066360003003",
			Accessibility: i18n.German(note),
			Addresses:     []catalog.Address{{Kind: catalog.AddressVisitor, Street: street, PostalCode: postal, City: city}},
			Contacts:      []catalog.Contact{{Name: contact}},
			Channels:      []catalog.Channel{{Kind: catalog.ChannelPhone, Value: phone}},
			OpeningHours:  catalog.OpeningHours{Slots: []catalog.Slot{{Day: catalog.Monday, Open: open, Close: close}}},
		}
		err := st.Update(ctx, func(tx *catalog.Tx) error { return tx.Put(o, catalog.Write{Reason: "fuzz"}) })
		if err != nil {
			if code := catalog.ErrorCode(err); code != catalog.EINVALID {
				t.Fatalf("Put: %v (code %s), want INVALID", err, code)
			}
			return
		}
		for _, s := range []string{street, postal, city, contact, phone, open, close} {
			if strings.IndexFunc(s, func(r rune) bool {
				return unicode.IsControl(r) || (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069)
			}) >= 0 {
				t.Fatalf("stored a plain field with a control or bidi character: %q", s)
			}
		}
	})
	if err := st.Check(); err != nil {
		f.Fatal(err)
	}
}
