package demo

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/catalog/catalogtest"
	"github.com/leistungsfinder/leistungsfinder/i18n"
)

var ctx = context.Background()

// at is the day the lookups ask for: after Hanau became district-free.
var at = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

// The known real case (data/README.md) and the places the tests look at.
const (
	gewerbeAnmelden = "99050012104000"
	neuzulassung    = "99036020001000"
	kindergeld      = "99041008017000"
	eschwege        = "066360003003"
	werraMeissner   = "066360000000"
	kassel          = "066110000000"
	hanauOld        = "064350014014"
	hanauNew        = "064150000000"
)

// mustOpen opens a store in a temp dir and runs Check when the test ends.
func mustOpen(t testing.TB) *catalog.Store { return catalogtest.Open(t, catalog.Options{Portal: "HE"}) }

func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// TestLoad loads the demo once into a real store and checks it case by case.
func TestLoad(t *testing.T) {
	st := mustOpen(t)
	start := time.Now()
	sum, err := Load(ctx, st, testLogger(t))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	t.Logf("loaded %+v in %v (revision %d)", sum, time.Since(start).Round(time.Millisecond), st.Revision())
	exp := expected(t)

	t.Run("SummaryMatchesEmbeddedFiles", func(t *testing.T) {
		if sum != exp.summary {
			t.Errorf("summary = %+v, want %+v", sum, exp.summary)
		}
		view(t, st, func(tx *catalog.Tx) {
			for kind, want := range map[catalog.Kind]int{
				catalog.KindRegion: sum.Regions, catalog.KindBundle: sum.Bundles, catalog.KindService: sum.Services,
				catalog.KindOffice: sum.Offices, catalog.KindOnlineService: sum.OnlineServices,
				catalog.KindResponsibility: sum.Responsibilities, catalog.KindLifeSituation: sum.LifeSituations,
				catalog.KindConcept: sum.Concepts,
			} {
				if got := tx.Count(kind); got != want {
					t.Errorf("store has %d %s records, summary says %d", got, kind, want)
				}
			}
		})
	})

	t.Run("EschwegeGewerbeAnmelden", func(t *testing.T) {
		requireContent(t, exp, gewerbeAnmelden)
		ls := localService(t, st, gewerbeAnmelden, eschwege)
		o := onlyOffice(t, ls)
		if name := o.Office.Name.String(); !strings.Contains(name, "Eschwege") {
			t.Errorf("office = %q, want the administration of Eschwege", name)
		}
		want := catalog.Address{Kind: catalog.AddressVisitor, Street: "Obermarkt 22", PostalCode: "37269", City: "Eschwege", RegionKey: eschwege}
		if len(o.Office.Addresses) != 1 || o.Office.Addresses[0] != want {
			t.Errorf("addresses = %+v, want [%+v]", o.Office.Addresses, want)
		}
		if o.From.ID != eschwege {
			t.Errorf("responsibility from %s, want the municipality itself (%s)", o.From.ID, eschwege)
		}
	})

	t.Run("DistrictServiceInEschwege", func(t *testing.T) {
		requireContent(t, exp, neuzulassung)
		o := onlyOffice(t, localService(t, st, neuzulassung, eschwege))
		if got, want := o.Office.Name.String(), "Kreisausschuss des Werra-Meißner-Kreises"; got != want {
			t.Errorf("office = %q, want %q", got, want)
		}
		if o.From.ID != werraMeissner {
			t.Errorf("inherited from %s, want %s", o.From.ID, werraMeissner)
		}
	})

	t.Run("DistrictServiceInDistrictFreeCity", func(t *testing.T) {
		requireContent(t, exp, neuzulassung)
		o := onlyOffice(t, localService(t, st, neuzulassung, kassel))
		if got, want := o.Office.Name.String(), "Magistrat der Stadt Kassel"; got != want {
			t.Errorf("office = %q, want %q", got, want)
		}
		if o.From.ID != kassel {
			t.Errorf("from %s, want %s", o.From.ID, kassel)
		}
	})

	t.Run("HanauAfterTheReform", func(t *testing.T) {
		view(t, st, func(tx *catalog.Tx) {
			old, err := tx.Region(hanauOld)
			if err != nil {
				t.Fatal(err)
			}
			if old.SuccessorKey != hanauNew || old.Validity.Covers(at) {
				t.Errorf("old Hanau: successor %q, valid on %s: %v; want %s and not valid", old.SuccessorKey, at.Format(time.DateOnly), old.Validity.Covers(at), hanauNew)
			}
			found, err := tx.FindRegions("Hanau", at)
			if err != nil {
				t.Fatal(err)
			}
			if len(found) != 1 || found[0].ID != hanauNew || found[0].ParentKey != "064000000000" {
				t.Errorf("FindRegions(Hanau) = %v, want only %s below Reg.-Bez. Darmstadt", regionIDs(found), hanauNew)
			}
		})
		key := firstContentKey(exp, levelMunicipality)
		if key == "" {
			t.Skip("no municipal core service in content/ yet")
		}
		o := onlyOffice(t, localService(t, st, key, hanauNew))
		if got, want := o.Office.Name.String(), "Magistrat der Stadt Hanau"; got != want || o.From.ID != hanauNew {
			t.Errorf("office = %q from %s, want %q from %s", got, o.From.ID, want, hanauNew)
		}
	})

	t.Run("FederalServiceOnlineFromBund", func(t *testing.T) {
		var f federalServiceRec
		for _, s := range exp.services.Services {
			if len(s.Online) > 0 && exp.content[s.LeikaKeys[0]] == "" {
				f = s
				break
			}
		}
		ls := localService(t, st, f.LeikaKeys[0], eschwege)
		if len(ls.Offices) != 0 {
			t.Errorf("offices = %d, want none (the source names no office)", len(ls.Offices))
		}
		if len(ls.OnlineServices) != len(f.Online) {
			t.Fatalf("online services = %d, want %d", len(ls.OnlineServices), len(f.Online))
		}
		for _, o := range ls.OnlineServices {
			if !slices.Contains(f.Online, o.OnlineService.ID) || o.From.ID != catalog.Bund {
				t.Errorf("online service %s from %s, want one of %v from the Bund", o.OnlineService.ID, o.From.ID, f.Online)
			}
		}
		if ls.Service.RegionKey != catalog.Bund {
			t.Errorf("service maintained at %q, want the Bund", ls.Service.RegionKey)
		}
		if _, _, fallback := ls.Service.Name().Pick(i18n.EN); !fallback {
			t.Errorf("federal service has English; the source is German only")
		}
	})

	t.Run("CoreServiceGetsPortalNetworkOnlineService", func(t *testing.T) {
		requireContent(t, exp, kindergeld)
		ls := localService(t, st, kindergeld, eschwege)
		if got := onlyOffice(t, ls).Office.Name.String(); got != "Familienkasse der Bundesagentur für Arbeit" {
			t.Errorf("office = %q, want the Familienkasse", got)
		}
		if len(ls.OnlineServices) == 0 || ls.OnlineServices[0].From.ID != catalog.Bund {
			t.Errorf("want the portal network's online service from the Bund, got %d", len(ls.OnlineServices))
		}
		if !slices.Contains(ls.Service.ExternalIDs, "B100019.LB.576986") {
			t.Errorf("external IDs = %v, want the portal network's B100019.LB.576986", ls.Service.ExternalIDs)
		}
		view(t, st, func(tx *catalog.Tx) {
			if svcs, _ := tx.ServicesByLeika(kindergeld); len(svcs) != 1 {
				t.Errorf("%d services for %s, want 1", len(svcs), kindergeld)
			}
		})
	})

	t.Run("HandWrittenServicesAreBilingual", func(t *testing.T) {
		view(t, st, func(tx *catalog.Tx) {
			svcs, err := tx.AllServices()
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, s := range svcs {
				if exp.content[s.LeikaKeys[0]] == "" {
					continue
				}
				n++
				if s.RegionKey != hessen {
					t.Errorf("%s maintained at %q, want Hessen (%s)", s.ID, s.RegionKey, hessen)
				}
				for _, m := range []catalog.Module{catalog.ModuleName, catalog.ModuleShortText, catalog.ModuleFullText} {
					txt := s.Texts[m]
					if strings.TrimSpace(txt[i18n.DE].Value) == "" || strings.TrimSpace(txt[i18n.EN].Value) == "" {
						t.Errorf("%s %s: module %s lacks German or English", s.ID, s.LeikaKeys[0], m)
					}
				}
			}
			if n != len(exp.content) {
				t.Errorf("%d hand-written services in the store, %d in content/", n, len(exp.content))
			}
		})
	})

	t.Run("BundlesAreBilingual", func(t *testing.T) {
		view(t, st, func(tx *catalog.Tx) {
			bs, err := tx.AllBundles()
			if err != nil {
				t.Fatal(err)
			}
			for _, b := range bs {
				if b.Name[i18n.EN].Value == "" {
					t.Errorf("bundle %d %q has no English name", b.Number, b.Name)
				}
			}
		})
	})

	t.Run("LoadingTwiceIsRefused", func(t *testing.T) {
		rev := st.Revision()
		_, err := Load(ctx, st, testLogger(t))
		if catalog.ErrorCode(err) != catalog.ECONFLICT {
			t.Errorf("second Load: %v, want CONFLICT", err)
		}
		if st.Revision() != rev {
			t.Errorf("revision %d after the refused load, want %d", st.Revision(), rev)
		}
	})
}

// expectation is what the embedded files say a load must write, counted
// here independently of build.
type expectation struct {
	summary  Summary
	services servicesFile
	content  map[string]string // LeiKa key -> level of the hand-written services
}

func expected(t *testing.T) expectation {
	t.Helper()
	var rf regionsFile
	var of officesFile
	var e expectation
	for name, v := range map[string]any{regionsFileName: &rf, officesFileName: &of, servicesFileName: &e.services} {
		if err := readGenerated(name, v); err != nil {
			t.Fatal(err)
		}
	}
	var bf bundlesFile
	if err := readContent(bundlesContent, &bf); err != nil {
		t.Fatal(err)
	}
	core, admin, err := contentFiles()
	if err != nil {
		t.Fatal(err)
	}
	e.content = map[string]string{}
	var coreServices, adminServices int
	for _, name := range append(core, admin) {
		var cf contentFile
		if err := readContent(name, &cf); err != nil {
			t.Fatal(err)
		}
		for _, s := range cf.Services {
			e.content[s.LeikaKey] = s.Level
		}
		if name == admin {
			adminServices += len(cf.Services)
		} else {
			coreServices += len(cf.Services)
		}
	}

	level := map[string]catalog.Level{}
	for _, r := range rf.Regions {
		level[r.ID] = r.Level
	}
	perLevel := map[string]int{}
	serves := map[string]int{}
	for _, o := range of.Offices {
		switch {
		case o.Kind == catalog.OfficeMunicipality && level[o.RegionKey] == catalog.LevelKreis:
			perLevel[levelMunicipality]++
			perLevel[levelDistrict]++
		case o.Kind == catalog.OfficeMunicipality:
			perLevel[levelMunicipality]++
		case o.Kind == catalog.OfficeDistrict:
			perLevel[levelDistrict]++
		}
		for _, k := range o.Serves {
			serves[k]++
		}
	}
	s := Summary{Regions: len(rf.Regions), Offices: len(of.Offices), Bundles: len(bf.Bundles),
		OnlineServices: len(e.services.OnlineServices), Services: len(e.content),
		CoreServices: coreServices, AdminServices: adminServices}
	for key, lvl := range e.content {
		switch lvl {
		case levelMunicipality, levelDistrict:
			s.Responsibilities += perLevel[lvl]
		default:
			s.Responsibilities += serves[key]
		}
	}
	for _, f := range e.services.Services {
		if e.content[f.LeikaKeys[0]] == "" {
			s.Services++
			s.FederalServices++
		}
		s.Responsibilities += len(f.Online)
	}
	var sf situationsFile
	var df dictionaryFile
	if err := readContent(situationsContent, &sf); err != nil {
		t.Fatal(err)
	}
	if err := readContent(dictionaryContent, &df); err != nil {
		t.Fatal(err)
	}
	s.LifeSituations, s.Concepts = len(sf.Situations), len(df.Concepts)
	e.summary = s
	return e
}

// requireContent skips a case whose service the hand-written content does
// not describe yet (content/core-services-*.json are written in parallel).
func requireContent(t *testing.T, e expectation, key string) {
	t.Helper()
	if e.content[key] == "" {
		t.Skipf("content/ has no service %s yet", key)
	}
}

func firstContentKey(e expectation, level string) string {
	var keys []string
	for k, l := range e.content {
		if l == level {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	if len(keys) == 0 {
		return ""
	}
	return keys[0]
}

func view(t *testing.T, st *catalog.Store, fn func(tx *catalog.Tx)) {
	t.Helper()
	if err := st.View(ctx, func(tx *catalog.Tx) error { fn(tx); return nil }); err != nil {
		t.Fatal(err)
	}
}

func localService(t *testing.T, st *catalog.Store, leika, ars string) *catalog.LocalService {
	t.Helper()
	var ls *catalog.LocalService
	err := st.View(ctx, func(tx *catalog.Tx) error {
		var err error
		ls, err = tx.LocalService(leika, ars, at)
		return err
	})
	if err != nil {
		t.Fatalf("LocalService(%s, %s): %v", leika, ars, err)
	}
	return ls
}

func onlyOffice(t *testing.T, ls *catalog.LocalService) *catalog.ResponsibleOffice {
	t.Helper()
	if len(ls.Offices) != 1 {
		t.Fatalf("%d responsible offices, want 1", len(ls.Offices))
	}
	return ls.Offices[0]
}

func regionIDs(rs []*catalog.Region) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.ID)
	}
	return out
}

func TestParseCents(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want catalog.Cents
		ok   bool
	}{
		{"37.00", 3700, true},
		{"0.50", 50, true},
		{"1234.05", 123405, true},
		{"37", 0, false},
		{"37.5", 0, false},
		{"37,00", 0, false},
		{"-1.00", 0, false},
		{"", 0, false},
		{"1e3.00", 0, false},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := parseCents(tc.in)
			if (err == nil) != tc.ok || got != tc.want {
				t.Errorf("parseCents(%q) = %d, %v; want %d, ok %v", tc.in, got, err, tc.want, tc.ok)
			}
		})
	}
}

func FuzzParseCents(f *testing.F) {
	for _, s := range []string{"37.00", "0.01", "999999999.99", "1.5", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := parseCents(s)
		if err != nil {
			return
		}
		if c < 0 {
			t.Fatalf("parseCents(%q) = %d, negative", s, c)
		}
		back := fmt.Sprintf("%d.%02d", c/100, c%100)
		if c2, err := parseCents(back); err != nil || c2 != c || strings.TrimLeft(s, "0") != strings.TrimLeft(back, "0") {
			t.Fatalf("parseCents(%q) = %d does not round-trip through %q", s, c, back)
		}
	})
}

func TestContentIsDecodedStrictly(t *testing.T) {
	var cf contentFile
	err := decodeStrict(strings.NewReader(`{"services":[{"leikaKey":"99050012104000","colour":"red"}]}`), &cf)
	if err == nil || !strings.Contains(err.Error(), "colour") {
		t.Errorf("unknown field: err = %v, want an error naming it", err)
	}
	err = decodeStrict(strings.NewReader(`{"services":[]} {}`), &cf)
	if err == nil {
		t.Errorf("trailing data: no error")
	}
}

func TestContentServiceRecord(t *testing.T) {
	bundles := map[string]string{"Ordnungsamt": bundleID(15)}
	for _, tc := range []struct {
		name    string
		service contentService
		wantErr string
	}{
		{"OK", contentService{LeikaKey: gewerbeAnmelden, Level: levelMunicipality, Bundles: []string{"Ordnungsamt"},
			Fees: []contentFee{{Kind: catalog.FeeFixed, Amount: "37.00"}, {Kind: catalog.FeeRange, Min: "20.00", Max: "60.00"}, {Kind: catalog.FeeFree}}}, ""},
		{"ErrLevel", contentService{LeikaKey: gewerbeAnmelden, Level: "county"}, "level"},
		{"ErrBundle", contentService{LeikaKey: gewerbeAnmelden, Level: levelState, Bundles: []string{"Nope"}}, "bundle"},
		{"ErrFloatAmount", contentService{LeikaKey: gewerbeAnmelden, Level: levelState, Fees: []contentFee{{Kind: catalog.FeeFixed, Amount: "37.5"}}}, "two decimals"},
		{"ErrFreeWithAmount", contentService{LeikaKey: gewerbeAnmelden, Level: levelState, Fees: []contentFee{{Kind: catalog.FeeFree, Amount: "1.00"}}}, "no amount"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := tc.service.record("HE.LB.0000000001", bundles)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("err = %v, want one about %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			wantFees := []catalog.Fee{{Kind: catalog.FeeFixed, Amount: 3700}, {Kind: catalog.FeeRange, Min: 2000, Max: 6000}, {Kind: catalog.FeeFree}}
			if !slices.EqualFunc(s.Fees, wantFees, func(a, b catalog.Fee) bool {
				return a.Kind == b.Kind && a.Amount == b.Amount && a.Min == b.Min && a.Max == b.Max
			}) {
				t.Errorf("fees = %+v, want %+v", s.Fees, wantFees)
			}
			if !slices.Equal(s.BundleIDs, []string{"HE.UB.0000000015"}) {
				t.Errorf("bundles = %v", s.BundleIDs)
			}
		})
	}
}
