package federation

import (
	"fmt"
	"testing"
	"time"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/catalog/catalogtest"
	"github.com/leistungsfinder/leistungsfinder/catalog/demo"
	"github.com/leistungsfinder/leistungsfinder/federation/xzufi"
	"github.com/leistungsfinder/leistungsfinder/i18n"
)

func openStore(t testing.TB, portal string) *catalog.Store {
	t.Helper()
	return catalogtest.Open(t, catalog.Options{Portal: portal})
}

func day(s string) *time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return &t
}

// richRecords use every field the XZuFi mapping carries, beside the demo's
// (bundle is a bundle ID of the store).
func richRecords(bundle, situation string) []catalog.Record {
	at := time.Date(2026, 3, 1, 9, 30, 0, 0, time.FixedZone("CET", 3600))
	return []catalog.Record{
		&catalog.Service{Meta: catalog.Meta{ID: "HE.LB.0000900001"}, Status: catalog.StatusPublished, RegionKey: "060000000000",
			LeikaKeys: []string{"99999000000001", "99999000000002"}, ExternalIDs: []string{"B100019.LB.1"}, BundleIDs: []string{bundle},
			Texts: map[catalog.Module]i18n.Text{
				catalog.ModuleName:      i18n.Bilingual("Probe &amp; Test &lt;Leistung&gt; \"x\"", "Sample service"),
				catalog.ModuleFullText:  i18n.Bilingual("<p>Zeile 1\nZeile 2\r\n\t\"zitiert\" ' &amp; ü</p>", "<p>line</p>"),
				catalog.ModuleShortText: i18n.German("  Leerzeichen vorn und hinten  "),
			},
			Fees: []catalog.Fee{{Kind: catalog.FeeFixed, Amount: 3750, Description: i18n.German("fest"), Prepayment: true, URL: "https://example.org/gebuehren"},
				{Kind: catalog.FeeRange, Min: 0, Max: 100000}, {Kind: catalog.FeeFree, Description: i18n.Bilingual("frei", "free")}},
			Deadlines: []catalog.Deadline{{Kind: catalog.DeadlineRedress, Duration: &catalog.Duration{Value: 1, Unit: catalog.UnitMonth}},
				{Kind: catalog.DeadlineApplication, From: day("2026-01-01"), To: &at, Description: i18n.German("im ersten Quartal")}},
			Processing:       &catalog.ProcessingTime{Duration: &catalog.Duration{Value: 2, ValueTo: 4, Unit: catalog.UnitWorkday}, Description: i18n.German("etwa")},
			Typisation:       []string{"2a", "3"},
			Addressees:       []catalog.Addressee{catalog.AddresseeBusiness, catalog.AddresseeCitizen},
			Categories:       []string{"Gewerbe", "Test"},
			Keywords:         map[string][]string{"de": {"Probe", "Test"}, "en": {"sample"}},
			Terms:            []catalog.Term{{Text: "Knöllchen", Lang: "de", Type: "002"}, {Text: "ticket", Lang: "en", Type: "999"}},
			LifeSituationIDs: []string{situation},
			Validity:         catalog.Validity{From: day("2020-01-01"), To: day("2030-12-31")},
		},
		&catalog.Office{Meta: catalog.Meta{ID: "HE.OE.0000900001"}, Name: i18n.Bilingual("Probeamt", "Sample office"), Kind: catalog.OfficeDistrict,
			RegionKey: "066360000000", ExternalIDs: []string{"X.OE.1"},
			Addresses: []catalog.Address{{Kind: catalog.AddressVisitor, Street: "Obermarkt 22", PostalCode: "37269", City: "Eschwege", RegionKey: "066360003003"},
				{Kind: catalog.AddressPOBox, POBox: "1234", PostalCode: "37261", City: "Eschwege"}},
			OpeningHours: catalog.OpeningHours{Slots: []catalog.Slot{{Day: catalog.Monday, Open: "08:00", Close: "12:00"}, {Day: catalog.Monday, Open: "13:00", Close: "16:00"}, {Day: catalog.Saturday, Open: "09:00", Close: "11:30"}},
				Notes: i18n.Bilingual("und nach Vereinbarung", "and by appointment")},
			Channels:      []catalog.Channel{{Kind: catalog.ChannelPhone, Value: "+49 5651 304-0", Note: i18n.German("Zentrale")}, {Kind: catalog.ChannelEmail, Value: "info@example.org"}, {Kind: catalog.ChannelWeb, Value: "https://example.org"}},
			Contacts:      []catalog.Contact{{Name: "Frau Muster", Position: i18n.German("Sachbearbeitung"), Room: "2.17", Channels: []catalog.Channel{{Kind: catalog.ChannelFax, Value: "+49 5651 304-99"}}}},
			Accessibility: i18n.German("Aufzug vorhanden"),
			Validity:      catalog.Validity{From: day("2019-05-01")},
		},
		&catalog.Office{Meta: catalog.Meta{ID: "HE.OE.0000900002"}, Name: i18n.German("Unterabteilung"), Kind: catalog.OfficeOther,
			RegionKey: "066360000000", ParentID: "HE.OE.0000900001"},
		&catalog.OnlineService{Meta: catalog.Meta{ID: "HE.OD.0000900001"}, Title: i18n.Bilingual("Online-Antrag", "Online application"),
			Description: i18n.German("Beschreibung"), RegionKey: "060000000000", TrustLevel: catalog.TrustSubstantial,
			Identification: []string{"EID", "ELSTER"}, ExternalIDs: []string{"B100019.OD.1"},
			Links:    []catalog.Link{{URL: "https://antrag.example.org/start?x=1&y=2", Title: i18n.German("Start")}, {URL: "https://antrag.example.org/2"}},
			Validity: catalog.Validity{To: day("2031-01-01")}},
		&catalog.Responsibility{Meta: catalog.Meta{ID: "HE.ZS.0000900001"}, LeikaKey: "99999000000001", RegionKey: "066360000000",
			OfficeID: "HE.OE.0000900001", Role: catalog.RoleContactPoint, Validity: catalog.Validity{From: day("2026-01-01")}},
		&catalog.Responsibility{Meta: catalog.Meta{ID: "HE.ZS.0000900002"}, LeikaKey: "99999000000001", RegionKey: "060000000000",
			OnlineServiceID: "HE.OD.0000900001", Role: catalog.RoleResponsible},
		&catalog.Specialisation{Meta: catalog.Meta{ID: "HE.SP.0000900001"}, LeikaKey: "99999000000001", RegionKey: "066360003003",
			Module: catalog.ModuleFullText, Mode: catalog.ModeReplace, Text: i18n.Bilingual("<p>Eschwege</p>", "<p>Eschwege (en)</p>"), Status: catalog.StatusPublished},
		&catalog.Specialisation{Meta: catalog.Meta{ID: "HE.SP.0000900003"}, LeikaKey: "99999000000001", RegionKey: "066360003003",
			Terms: []catalog.Term{{Text: "Bürgerbüro am Markt", Lang: "de", Type: "001"}}, Status: catalog.StatusPublished},
		&catalog.Specialisation{Meta: catalog.Meta{ID: "HE.SP.0000900002"}, LeikaKey: "99999000000001", RegionKey: "066360000000",
			Module: catalog.ModuleNotes, Mode: catalog.ModeAppend, Text: i18n.German("<p>Kreis</p>"), Status: catalog.StatusPublished},
	}
}

// exported are the kinds an XZuFi export carries.
var exported = []catalog.Kind{catalog.KindService, catalog.KindOffice, catalog.KindOnlineService, catalog.KindResponsibility, catalog.KindSpecialisation}

// contents returns the Content of every record of the exported kinds.
func contents(t testing.TB, st *catalog.Store) map[string]string {
	t.Helper()
	return catalogtest.Contents(t, st, exported...)
}

// referenceData copies regions, bundles and life situations (what XZuFi
// does not carry as objects: the official region list, the OZG bundles and
// the life-situation taxonomy every portal loads) into dst.
func referenceData(t testing.TB, src, dst *catalog.Store) {
	t.Helper()
	var recs []catalog.Record
	err := src.View(ctx, func(tx *catalog.Tx) error {
		for _, k := range []catalog.Kind{catalog.KindRegion, catalog.KindBundle, catalog.KindLifeSituation} {
			if err := tx.Each(k, func(r catalog.Record) (bool, error) { recs = append(recs, r); return true, nil }); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = dst.Update(ctx, func(tx *catalog.Tx) error {
		for _, r := range recs {
			if err := tx.Put(r, catalog.Write{Actor: "test"}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func importDir(t testing.TB, st *catalog.Store, dir string, opt ImportOptions) ImportSummary {
	t.Helper()
	sum, err := importFiles(st, dir, opt)
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

// TestXZuFiRoundTrip exports the demo catalogue plus records that use
// every mapped field, wipes it (a new store with only the reference data),
// imports the export and compares every record.
func TestXZuFiRoundTrip(t *testing.T) {
	src := openStore(t, "HE")
	if _, err := demo.Load(ctx, src, nil); err != nil {
		t.Fatal(err)
	}
	var bundle, situation string
	src.View(ctx, func(tx *catalog.Tx) error {
		bs, _ := tx.AllBundles()
		bundle = bs[0].ID
		return tx.Each(catalog.KindLifeSituation, func(r catalog.Record) (bool, error) {
			situation = catalog.MetaOf(r).ID
			return false, nil
		})
	})
	err := src.Update(ctx, func(tx *catalog.Tx) error {
		for _, r := range richRecords(bundle, situation) {
			if err := tx.Put(r, catalog.Write{Actor: "test"}); err != nil {
				return fmt.Errorf("%T: %w", r, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := contents(t, src)

	dir := t.TempDir()
	m, err := xzufi.Export(ctx, src, dir, xzufi.ExportOptions{MaxObjects: 500})
	if err != nil {
		t.Fatal(err)
	}
	if m.LeftOutCount > 0 {
		t.Errorf("export left out %d records: %v", m.LeftOutCount, m.LeftOut)
	}
	if got := m.Counts.Objects() + m.Counts.Responsibilities; got != len(want) {
		t.Errorf("export holds %d objects and responsibilities, the catalogue %d records", got, len(want))
	}
	for _, f := range m.Files {
		if f.Objects > 500 {
			t.Errorf("%s holds %d objects, more than 500", f.Name, f.Objects)
		}
	}

	dst := openStore(t, "HE")
	referenceData(t, src, dst)

	// A dry run, in batches small enough that responsibilities and
	// sub-offices come in other batches than the offices they refer to,
	// says what the import will do and writes nothing.
	rev := dst.Revision()
	dry := importDir(t, dst, dir, ImportOptions{DryRun: true, BatchSize: 50})
	if dry.Rejected != 0 || dry.Created != len(want) || !dry.DryRun || dst.Revision() != rev {
		t.Fatalf("dry run: %s (revision %d -> %d); want %d created, none rejected, nothing written; first rejections: %v",
			dry, rev, dst.Revision(), len(want), first(dry.Rejections, 5))
	}

	sum := importDir(t, dst, dir, ImportOptions{})
	if sum.Rejected != 0 || sum.Created != len(want) {
		t.Fatalf("import: %s; want %d created, none rejected; first rejections: %v", sum, len(want), first(sum.Rejections, 5))
	}
	got := contents(t, dst)
	for k, w := range want {
		if g, ok := got[k]; !ok {
			t.Errorf("%s missing after the round trip", k)
		} else if g != w {
			t.Errorf("%s differs after the round trip:\n got %s\nwant %s", k, g, w)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("%s appeared in the round trip", k)
		}
	}

	// Idempotent: a second run changes nothing.
	rev = dst.Revision()
	again := importDir(t, dst, dir, ImportOptions{})
	if again.Unchanged != len(want) || again.Created+again.Updated+again.Rejected != 0 || dst.Revision() != rev {
		t.Errorf("second import: %s (revision %d -> %d); want everything unchanged", again, rev, dst.Revision())
	}
}

func first[T any](s []T, n int) []T { return s[:min(n, len(s))] }
