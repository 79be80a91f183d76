package catalog_test

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/catalog/catalogtest"
	"github.com/leistungsfinder/leistungsfinder/i18n"
)

// mustOpen opens a store in a temp dir and runs Check when the test ends.
func mustOpen(t testing.TB) *catalog.Store { return catalogtest.Open(t, catalog.Options{Portal: "HE"}) }

var ctx = context.Background()

// seedRegions writes the fixture hierarchy (catalogtest.Regions): Bund >
// Hessen > Reg.-Bez. Kassel > Werra-Meißner-Kreis > Eschwege, and Kassel
// (district-free), among others.
func seedRegions(t testing.TB, st *catalog.Store) { catalogtest.PutRegions(t, st) }

const gewerbe = "99050012104000"

func newService() *catalog.Service {
	return &catalog.Service{
		Status:    catalog.StatusPublished,
		LeikaKeys: []string{gewerbe},
		Texts: map[catalog.Module]i18n.Text{
			catalog.ModuleName:      i18n.Bilingual("Gewerbe Anmeldung", "Business registration"),
			catalog.ModuleShortText: i18n.Bilingual("<p>Sie melden ein Gewerbe an.</p>", "<p>You register a business.</p>"),
			catalog.ModuleFullText:  i18n.Bilingual("<p>Zentral.</p>", "<p>Central.</p>"),
		},
		Fees: []catalog.Fee{{Kind: catalog.FeeRange, Min: 2000, Max: 6000}},
	}
}

func newOffice(name, ars, street string) *catalog.Office {
	return &catalog.Office{
		Name: i18n.German(name), Kind: catalog.OfficeMunicipality, RegionKey: ars,
		Addresses: []catalog.Address{{Kind: catalog.AddressVisitor, Street: street, PostalCode: "37269", City: "Eschwege", RegionKey: ars}},
		OpeningHours: catalog.OpeningHours{Slots: []catalog.Slot{
			{Day: catalog.Monday, Open: "08:00", Close: "12:00"}, {Day: catalog.Thursday, Open: "14:00", Close: "18:00"}}},
		Channels: []catalog.Channel{{Kind: catalog.ChannelPhone, Value: "+49 5651 3040"}},
	}
}

func put(t testing.TB, st *catalog.Store, r catalog.Record, w catalog.Write) {
	t.Helper()
	require.NoError(t, st.Update(ctx, func(tx *catalog.Tx) error { return tx.Put(r, w) }))
}

func TestPutAssignsIDRevisionAndHistory(t *testing.T) {
	st := mustOpen(t)
	seedRegions(t, st)
	svc := newService()
	put(t, st, svc, catalog.Write{Actor: "alice", Reason: "first"})
	assert.Equal(t, "HE.LB.0000000001", svc.ID)
	assert.Equal(t, "HE", svc.Origin)
	assert.Equal(t, 1, svc.Version)
	assert.Equal(t, st.Revision(), svc.Revision)

	svc.Texts[catalog.ModuleFullText] = i18n.Bilingual("<p>Neu.</p>", "<p>New.</p>")
	put(t, st, svc, catalog.Write{Actor: "bob", Expected: catalog.Expect(svc.Revision)})
	assert.Equal(t, 2, svc.Version)

	require.NoError(t, st.View(ctx, func(tx *catalog.Tx) error {
		got, err := tx.Service(svc.ID)
		require.NoError(t, err)
		assert.Equal(t, "<p>Neu.</p>", got.Texts[catalog.ModuleFullText][i18n.DE].Value)
		hist, err := tx.History(catalog.KindService, svc.ID)
		require.NoError(t, err)
		require.Len(t, hist, 2)
		assert.Equal(t, "alice", hist[0].Record.(*catalog.Service).UpdatedBy)
		assert.Equal(t, "<p>Zentral.</p>", hist[0].Record.(*catalog.Service).Texts[catalog.ModuleFullText][i18n.DE].Value)
		byKey, err := tx.ServiceByLeika(gewerbe, false, time.Time{})
		require.NoError(t, err)
		assert.Equal(t, svc.ID, byKey.ID)
		return nil
	}))
}

func TestChangeLogIsGapFreeAndNotifiesAfterCommit(t *testing.T) {
	st := mustOpen(t)
	seedRegions(t, st)
	before := st.Revision()
	changed := st.Changed()
	svc := newService()
	put(t, st, svc, catalog.Write{Actor: "a"})
	select {
	case <-changed:
	case <-time.After(time.Second):
		t.Fatal("no notification after commit")
	}
	// A failing write consumes no revision.
	bad := newService()
	bad.LeikaKeys = []string{"123"}
	err := st.Update(ctx, func(tx *catalog.Tx) error { return tx.Put(bad, catalog.Write{}) })
	require.Error(t, err)
	put(t, st, newOffice("Magistrat", "066360003003", "Obermarkt 22"), catalog.Write{})
	require.NoError(t, st.View(ctx, func(tx *catalog.Tx) error {
		changes, err := tx.Changes(before, 100)
		require.NoError(t, err)
		require.Len(t, changes, 2)
		assert.Equal(t, before+1, changes[0].Revision)
		assert.Equal(t, before+2, changes[1].Revision)
		assert.Equal(t, catalog.KindService, changes[0].Kind)
		assert.Equal(t, "066360003003", changes[1].RegionKey)
		return nil
	}))
}

func TestExpectedRevision(t *testing.T) {
	st := mustOpen(t)
	seedRegions(t, st)
	o := newOffice("Magistrat", "066360003003", "Obermarkt 22")
	put(t, st, o, catalog.Write{Expected: catalog.Expect(0)})
	first := o.Revision

	t.Run("OK", func(t *testing.T) {
		o.Name = i18n.German("Magistrat der Kreisstadt Eschwege")
		put(t, st, o, catalog.Write{Expected: catalog.Expect(first)})
	})
	t.Run("ErrConflict", func(t *testing.T) {
		stale := newOffice("Überschrieben", "066360003003", "Obermarkt 22")
		stale.ID = o.ID
		err := st.Update(ctx, func(tx *catalog.Tx) error {
			return tx.Put(stale, catalog.Write{Expected: catalog.Expect(first)})
		})
		var e *catalog.Error
		require.True(t, errors.As(err, &e), "got %v", err)
		assert.Equal(t, catalog.ECONFLICT, e.Code)
		assert.Equal(t, o.Revision, e.Current)
		require.NoError(t, st.View(ctx, func(tx *catalog.Tx) error {
			got, err := tx.Office(o.ID)
			require.NoError(t, err)
			assert.Equal(t, "Magistrat der Kreisstadt Eschwege", got.Name.String())
			return nil
		}))
	})
	t.Run("ErrConflictOnDelete", func(t *testing.T) {
		err := st.Update(ctx, func(tx *catalog.Tx) error {
			return tx.Delete(catalog.KindOffice, o.ID, catalog.Write{Expected: catalog.Expect(first)})
		})
		assert.Equal(t, catalog.ECONFLICT, catalog.ErrorCode(err))
	})
	t.Run("ErrNotFoundExpectingExisting", func(t *testing.T) {
		n := newOffice("Neu", "066360003003", "Markt 1")
		n.ID = "HE.OE.0000009999"
		err := st.Update(ctx, func(tx *catalog.Tx) error { return tx.Put(n, catalog.Write{Expected: catalog.Expect(5)}) })
		assert.Equal(t, catalog.ENOTFOUND, catalog.ErrorCode(err))
	})
}

func TestConcurrentWritersLoseNoUpdate(t *testing.T) {
	st := mustOpen(t)
	seedRegions(t, st)
	o := newOffice("Magistrat", "066360003003", "Obermarkt 22")
	o.Contacts = nil
	put(t, st, o, catalog.Write{})
	const writers, each = 8, 10
	var wg sync.WaitGroup
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < each; {
				var cur *catalog.Office
				require.NoError(t, st.View(ctx, func(tx *catalog.Tx) (err error) { cur, err = tx.Office(o.ID); return err }))
				cur.Contacts = append(cur.Contacts, catalog.Contact{Name: "Kontakt"})
				err := st.Update(ctx, func(tx *catalog.Tx) error {
					return tx.Put(cur, catalog.Write{Expected: catalog.Expect(cur.Revision)})
				})
				if catalog.ErrorCode(err) == catalog.ECONFLICT {
					continue // read again and retry, as a client would
				}
				require.NoError(t, err)
				i++
			}
		}(w)
	}
	wg.Wait()
	require.NoError(t, st.View(ctx, func(tx *catalog.Tx) error {
		got, err := tx.Office(o.ID)
		require.NoError(t, err)
		assert.Len(t, got.Contacts, writers*each, "every successful update must survive")
		assert.Equal(t, writers*each+1, got.Version)
		return nil
	}))
}

func TestValidation(t *testing.T) {
	st := mustOpen(t)
	seedRegions(t, st)
	cases := []struct {
		name   string
		modify func(o *catalog.Office)
		field  string
		rule   string
	}{
		{"ARSFormat", func(o *catalog.Office) { o.RegionKey = "0663" }, "ars", "format"},
		{"ARSExists", func(o *catalog.Office) { o.RegionKey = "099990000000" }, "ars", "exists"},
		{"PostalCode", func(o *catalog.Office) { o.Addresses[0].PostalCode = "3726" }, "addresses[0].postalCode", "format"},
		{"Email", func(o *catalog.Office) {
			o.Channels = []catalog.Channel{{Kind: catalog.ChannelEmail, Value: "rathaus@"}}
		}, "channels[0].value", "email"},
		{"Web", func(o *catalog.Office) {
			o.Channels = []catalog.Channel{{Kind: catalog.ChannelWeb, Value: "javascript:alert(1)"}}
		}, "channels[0].value", "url"},
		{"Phone", func(o *catalog.Office) {
			o.Channels = []catalog.Channel{{Kind: catalog.ChannelPhone, Value: "call me"}}
		}, "channels[0].value", "phone"},
		{"HoursOrder", func(o *catalog.Office) { o.OpeningHours.Slots[0].Close = "07:00" }, "openingHours[0].close", "order"},
		{"HoursFormat", func(o *catalog.Office) { o.OpeningHours.Slots[0].Open = "8 Uhr" }, "openingHours[0].open", "format"},
		{"HoursOverlap", func(o *catalog.Office) {
			o.OpeningHours.Slots = append(o.OpeningHours.Slots, catalog.Slot{Day: catalog.Monday, Open: "11:00", Close: "13:00"})
		}, "openingHours[2]", "overlap"},
		{"GermanRequired", func(o *catalog.Office) { o.Name = i18n.Text{i18n.EN: {Value: "Town hall"}} }, "name.de", "required"},
		{"HTMLWhitelist", func(o *catalog.Office) {
			o.Accessibility = i18n.German(`<p>Rampe</p><script>alert(1)</script>`)
		}, "accessibility.de", "whitelist"},
		{"HTMLAttribute", func(o *catalog.Office) {
			o.Accessibility = i18n.German(`<p onclick="x()">Rampe</p>`)
		}, "accessibility.de", "whitelist"},
		{"LinkScheme", func(o *catalog.Office) {
			o.Accessibility = i18n.German(`<a href="javascript:x()">Rampe</a>`)
		}, "accessibility.de", "whitelist"},
		{"Language", func(o *catalog.Office) { o.Name["fr"] = i18n.Version{Value: "Mairie"} }, "name.fr", "language"},
		{"TooLong", func(o *catalog.Office) {
			o.Accessibility = i18n.German(string(bytes.Repeat([]byte("a"), catalog.MaxTextLen+1)))
		}, "accessibility.de", "length"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := newOffice("Magistrat", "066360003003", "Obermarkt 22")
			c.modify(o)
			before := st.Revision()
			err := st.Update(ctx, func(tx *catalog.Tx) error { return tx.Put(o, catalog.Write{}) })
			var es catalog.Errors
			require.True(t, errors.As(err, &es), "got %v", err)
			var found bool
			for _, e := range es {
				found = found || e.Field == c.field && e.Rule == c.rule
			}
			assert.True(t, found, "want %s/%s, got %v", c.field, c.rule, es)
			assert.Equal(t, catalog.EINVALID, catalog.ErrorCode(err))
			assert.Equal(t, before, st.Revision(), "a refused write must change nothing")
		})
	}
	t.Run("ServiceFees", func(t *testing.T) {
		s := newService()
		s.Fees = []catalog.Fee{{Kind: catalog.FeeFixed, Amount: -100}, {Kind: catalog.FeeRange, Min: 5000, Max: 100}}
		s.LeikaKeys = []string{"9905001210400X"}
		err := st.Update(ctx, func(tx *catalog.Tx) error { return tx.Put(s, catalog.Write{}) })
		var es catalog.Errors
		require.True(t, errors.As(err, &es))
		fields := map[string]bool{}
		for _, e := range es {
			fields[e.Field] = true
		}
		assert.True(t, fields["fees[0].amountCents"] && fields["fees[1].maxCents"] && fields["leikaKeys[0]"], "got %v", es)
	})
}

func TestMirroredRecordsAreReadOnly(t *testing.T) {
	st := mustOpen(t)
	seedRegions(t, st)
	o := newOffice("Bayerisches Amt", "066360003003", "Markt 1")
	o.Origin = "BY"
	err := st.Update(ctx, func(tx *catalog.Tx) error { return tx.Put(o, catalog.Write{}) })
	assert.Equal(t, catalog.EFORBIDDEN, catalog.ErrorCode(err))
	put(t, st, o, catalog.Write{Mirror: true})
	o.Name = i18n.German("geändert")
	err = st.Update(ctx, func(tx *catalog.Tx) error { return tx.Put(o, catalog.Write{}) })
	assert.Equal(t, catalog.EFORBIDDEN, catalog.ErrorCode(err))
	err = st.Update(ctx, func(tx *catalog.Tx) error { return tx.Delete(catalog.KindOffice, o.ID, catalog.Write{}) })
	assert.Equal(t, catalog.EFORBIDDEN, catalog.ErrorCode(err))
}

func TestDeleteOfficeRemovesItsResponsibilities(t *testing.T) {
	st := mustOpen(t)
	seedRegions(t, st)
	put(t, st, newService(), catalog.Write{})
	o := newOffice("Magistrat", "066360003003", "Obermarkt 22")
	put(t, st, o, catalog.Write{})
	r := &catalog.Responsibility{LeikaKey: gewerbe, RegionKey: "066360003003", OfficeID: o.ID, Role: catalog.RoleResponsible}
	put(t, st, r, catalog.Write{})
	require.NoError(t, st.Update(ctx, func(tx *catalog.Tx) error {
		return tx.Delete(catalog.KindOffice, o.ID, catalog.Write{Expected: catalog.Expect(o.Revision)})
	}))
	require.NoError(t, st.View(ctx, func(tx *catalog.Tx) error {
		_, err := tx.Responsibility(r.ID)
		assert.Equal(t, catalog.ENOTFOUND, catalog.ErrorCode(err))
		changes, _ := tx.Changes(0, 1000)
		last := changes[len(changes)-2:]
		assert.Equal(t, catalog.KindResponsibility, last[0].Kind)
		assert.Equal(t, catalog.OpDelete, last[1].Op)
		return nil
	}))
}

func TestTranslationBecomesStaleWhenGermanChanges(t *testing.T) {
	st := mustOpen(t)
	seedRegions(t, st)
	svc := newService()
	put(t, st, svc, catalog.Write{})
	assert.False(t, svc.Texts[catalog.ModuleFullText].Stale(i18n.EN))
	// Change only the German text.
	de := svc.Texts[catalog.ModuleFullText]
	v := de[i18n.DE]
	v.Value = "<p>Zentral, geändert.</p>"
	de[i18n.DE] = v
	put(t, st, svc, catalog.Write{})
	assert.True(t, svc.Texts[catalog.ModuleFullText].Stale(i18n.EN))
	assert.False(t, svc.Texts[catalog.ModuleShortText].Stale(i18n.EN), "an untouched module stays current")
	// A new English text made now is current again.
	en := svc.Texts[catalog.ModuleFullText]
	en[i18n.EN] = i18n.Version{Value: "<p>Central, changed.</p>"}
	put(t, st, svc, catalog.Write{})
	assert.False(t, svc.Texts[catalog.ModuleFullText].Stale(i18n.EN))
}

func TestBackupAndRestore(t *testing.T) {
	st := mustOpen(t)
	seedRegions(t, st)
	svc := newService()
	put(t, st, svc, catalog.Write{})
	var buf bytes.Buffer
	n, err := st.Backup(&buf)
	require.NoError(t, err)
	assert.Equal(t, int64(buf.Len()), n)

	dst := filepath.Join(t.TempDir(), "restored.db")
	kept, err := catalog.Restore(dst, bytes.NewReader(buf.Bytes()), catalog.RestoreOptions{})
	require.NoError(t, err)
	assert.Empty(t, kept, "there was no store to keep")
	rs, err := catalog.Open(dst, catalog.Options{Portal: "HE"})
	require.NoError(t, err)
	defer rs.Close()
	require.NoError(t, rs.Check())
	assert.Equal(t, st.Revision(), rs.Revision())
	require.NoError(t, rs.View(ctx, func(tx *catalog.Tx) error {
		got, err := tx.Service(svc.ID)
		require.NoError(t, err)
		assert.Equal(t, "Gewerbe Anmeldung", got.Texts[catalog.ModuleName].String())
		return nil
	}))

	_, err = catalog.Restore(filepath.Join(t.TempDir(), "x.db"), bytes.NewReader([]byte("not a database")), catalog.RestoreOptions{})
	assert.Error(t, err, "a damaged backup must be refused")
}

func TestStoreOfAnotherPortalIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.db")
	st, err := catalog.Open(path, catalog.Options{Portal: "HE"})
	require.NoError(t, err)
	st.Close()
	_, err = catalog.Open(path, catalog.Options{Portal: "BY"})
	assert.ErrorContains(t, err, "belongs to portal")
}

// IDs handed out after records were written with explicit IDs (the demo
// loader does that) never overwrite them.
func TestNewIDsSkipExplicitOnes(t *testing.T) {
	st := mustOpen(t)
	seedRegions(t, st)
	explicit := newService()
	explicit.ID = "HE.LB.0000000007"
	put(t, st, explicit, catalog.Write{})
	fresh := newService()
	fresh.LeikaKeys = []string{"99050012071000"}
	put(t, st, fresh, catalog.Write{})
	assert.Equal(t, "HE.LB.0000000008", fresh.ID)
	require.NoError(t, st.View(ctx, func(tx *catalog.Tx) error {
		got, err := tx.Service(explicit.ID)
		require.NoError(t, err)
		assert.Equal(t, gewerbe, got.LeikaKeys[0])
		return nil
	}))
}
