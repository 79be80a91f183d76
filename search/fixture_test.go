package search

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/catalog/catalogtest"
	"github.com/leistungsfinder/leistungsfinder/catalog/demo"
	"github.com/leistungsfinder/leistungsfinder/i18n"
)

var ctx = context.Background()

// Region keys of the fixture (catalogtest.Regions).
const (
	arsHessen    = catalogtest.Hessen
	arsRBKassel  = catalogtest.RBKassel
	arsKassel    = catalogtest.Kassel // district-free city
	arsLKKassel  = catalogtest.LKKassel
	arsWerra     = catalogtest.Werra
	arsEschwege  = catalogtest.Eschwege
	arsSooden    = catalogtest.Sooden
	arsDarmstadt = catalogtest.Darmstadt
)

// LeiKa keys of the fixture (the real keys of core-services.csv).
const (
	keyWohnsitzAn   = "99115005104000"
	keyWohnsitzAb   = "99115005070000"
	keyPerso        = "99008001012000"
	keyPersoVerlust = "99008001014002"
	keyReisepass    = "99085001012000"
	keyGewerbeAn    = "99050012104000"
	keyGewerbeUm    = "99050012071000"
	keyHundesteuer  = "99102013104000"
	keyFuehrerUm    = "99108049012001"
	keyKfzNeu       = "99036020001000"
	keyKfzUm        = "99036008071000"
	keyBuergergeld  = "99107108017000"
	keyKita         = "99041004034000"
	keyBafoeg       = "99022001017003"
	keyKindergeld   = "99041008017000"
	keyGrundsteuer  = "99102012002000"
	keyDraft        = "99999999900099"
	bundleID        = "HE.UB.0000000001"
)

type fixtureService struct {
	key               string
	nameDE, citizenDE string
	nameEN            string
	shortDE, shortEN  string
	fullDE, fullEN    string
	kwDE, kwEN        []string
	category          string
	addressees        []catalog.Addressee
	level             string // municipality, district, state, federal
	online            bool
	status            catalog.Status
	bundles           []string
}

var fixtureServices = []fixtureService{
	{key: keyWohnsitzAn, nameDE: "Wohnsitz Anmeldung", citizenDE: "Wohnsitz anmelden", nameEN: "Registration of residence",
		shortDE: "Wer in eine Wohnung einzieht, muss sich innerhalb von zwei Wochen bei der Meldebehörde anmelden.",
		shortEN: "Anyone who moves into a flat must register with the registration office within two weeks.",
		fullDE:  "<p>Sie brauchen die <strong>Wohnungsgeberbestätigung</strong> Ihres Vermieters und Ihren Personalausweis.</p>",
		fullEN:  "<p>You need the landlord's confirmation and your identity card.</p>",
		kwDE:    []string{"Anmeldung", "Meldeschein"}, kwEN: []string{"register address"},
		category: "Meldewesen", addressees: []catalog.Addressee{catalog.AddresseeCitizen}, level: "municipality", online: true},
	{key: keyWohnsitzAb, nameDE: "Wohnsitz Abmeldung", citizenDE: "Wohnsitz abmelden", nameEN: "Deregistration of residence",
		shortDE:  "Wer ins Ausland zieht, meldet sich bei der Meldebehörde ab.",
		shortEN:  "Anyone moving abroad deregisters with the registration office.",
		category: "Meldewesen", addressees: []catalog.Addressee{catalog.AddresseeCitizen}, level: "municipality"},
	{key: keyPerso, nameDE: "Personalausweis Ausstellung", citizenDE: "Personalausweis beantragen", nameEN: "Applying for an identity card",
		shortDE: "Den Personalausweis beantragen Sie persönlich bei der Personalausweisbehörde.",
		shortEN: "You apply for the identity card in person at the identity card authority.",
		kwDE:    []string{"Ausweis", "Ausweisdokument"}, kwEN: []string{"ID card"},
		category: "Ausweise", addressees: []catalog.Addressee{catalog.AddresseeCitizen}, level: "municipality", bundles: []string{bundleID}},
	{key: keyPersoVerlust, nameDE: "Personalausweis Meldung wegen Verlust", citizenDE: "Verlust des eigenen Personalausweises melden",
		nameEN: "Reporting the loss of an identity card", shortDE: "Den Verlust oder Diebstahl Ihres Ausweises melden Sie sofort.",
		shortEN:  "Report the loss or theft of your identity card at once.",
		category: "Ausweise", addressees: []catalog.Addressee{catalog.AddresseeCitizen}, level: "municipality", bundles: []string{bundleID}},
	{key: keyReisepass, nameDE: "Reisepass Ausstellung", citizenDE: "Reisepass beantragen", nameEN: "Applying for a passport",
		shortDE: "Den Reisepass beantragen Sie bei der Passbehörde.", shortEN: "You apply for a passport at the passport authority.",
		category: "Ausweise", addressees: []catalog.Addressee{catalog.AddresseeCitizen}, level: "municipality", bundles: []string{bundleID}},
	{key: keyGewerbeAn, nameDE: "Gewerbe Anmeldung", citizenDE: "Gewerbe anmelden", nameEN: "Registering a business",
		shortDE: "Wer ein Gewerbe beginnt, muss es beim Gewerbeamt anmelden.", shortEN: "Anyone starting a trade must register it.",
		kwDE: []string{"Gewerbeschein"}, kwEN: []string{"trade licence"},
		category: "Gewerbe", addressees: []catalog.Addressee{catalog.AddresseeCitizen, catalog.AddresseeBusiness}, level: "municipality", online: true},
	{key: keyGewerbeUm, nameDE: "Gewerbe Ummeldung", citizenDE: "Gewerbe ummelden", nameEN: "Changing a business registration",
		shortDE: "Ändert sich Ihr Gewerbe, melden Sie es um.", shortEN: "If your trade changes, you re-register it.",
		category: "Gewerbe", addressees: []catalog.Addressee{catalog.AddresseeBusiness}, level: "municipality"},
	{key: keyHundesteuer, nameDE: "Hundesteuer Anmeldung", citizenDE: "Hundesteuer - Hund anmelden", nameEN: "Registering a dog for dog tax",
		shortDE: "Wer einen Hund hält, meldet ihn zur Hundesteuer an.", shortEN: "Dog owners register their dog for dog tax.",
		category: "Steuern", addressees: []catalog.Addressee{catalog.AddresseeCitizen}, level: "municipality"},
	{key: keyFuehrerUm, nameDE: "Alten Führerschein in neuen Führerschein umtauschen", nameEN: "Exchanging an old driving licence",
		shortDE:  "Alte Führerscheine müssen bis zu einer Frist in den EU-Kartenführerschein umgetauscht werden.",
		shortEN:  "Old driving licences must be exchanged for the EU card licence by a deadline.",
		category: "Verkehr", addressees: []catalog.Addressee{catalog.AddresseeCitizen}, level: "district"},
	{key: keyKfzNeu, nameDE: "Erstzulassung eines Fahrzeugs (Neuzulassung) beantragen", nameEN: "Registering a new vehicle",
		shortDE: "Ein neues Kraftfahrzeug lassen Sie bei der Zulassungsbehörde zu.", shortEN: "You register a new motor vehicle at the registration authority.",
		category: "Verkehr", addressees: []catalog.Addressee{catalog.AddresseeCitizen, catalog.AddresseeBusiness}, level: "district", online: true},
	{key: keyKfzUm, nameDE: "Kraftfahrzeug Ummeldung", nameEN: "Re-registering a motor vehicle",
		shortDE: "Nach einem Umzug muss die Adresse in den Fahrzeugpapieren geändert werden.", shortEN: "After a move the address in the vehicle papers must be changed.",
		category: "Verkehr", addressees: []catalog.Addressee{catalog.AddresseeCitizen}, level: "district"},
	{key: keyBuergergeld, nameDE: "Bürgergeld beantragen", nameEN: "Applying for citizen's income",
		shortDE: "Erwerbsfähige Leistungsberechtigte erhalten Bürgergeld.", shortEN: "People able to work who need help receive citizen's income.",
		category: "Soziales", addressees: []catalog.Addressee{catalog.AddresseeCitizen}, level: "district"},
	{key: keyKita, nameDE: "Kindertagesstätte Aufnahme", nameEN: "Admission to a day-care centre",
		shortDE: "Für einen Platz in der Kindertagesstätte melden Sie Ihr Kind an.", shortEN: "Register your child for a place in a day-care centre.",
		category: "Familie", addressees: []catalog.Addressee{catalog.AddresseeCitizen}, level: "municipality"},
	{key: keyBafoeg, nameDE: "Ausbildungsförderung Bewilligung für Studierende", citizenDE: "BAföG für ein Studium beantragen",
		shortDE:  "Studierende erhalten Ausbildungsförderung nach dem BAföG.",
		category: "Familie", addressees: []catalog.Addressee{catalog.AddresseeCitizen}, level: "state"},
	{key: keyKindergeld, nameDE: "Kindergeld Bewilligung", citizenDE: "Kindergeld beantragen",
		shortDE:  "Eltern erhalten für ihre Kinder Kindergeld von der Familienkasse.",
		category: "Familie", addressees: []catalog.Addressee{catalog.AddresseeCitizen}, level: "federal", online: true},
	{key: keyGrundsteuer, nameDE: "Grundsteuer Festsetzung", citizenDE: "Grundsteuerbescheid erhalten",
		shortDE:  "Die Gemeinde setzt die Grundsteuer für Ihr Grundstück fest.",
		category: "Steuern", addressees: []catalog.Addressee{catalog.AddresseeCitizen, catalog.AddresseeBusiness}, level: "municipality"},
	{key: keyDraft, nameDE: "Hundeführerschein Prüfung", shortDE: "Ein Entwurf.", category: "Ordnung",
		addressees: []catalog.Addressee{catalog.AddresseeCitizen}, level: "municipality", status: catalog.StatusDraft},
}

func (f fixtureService) record() *catalog.Service {
	texts := map[catalog.Module]i18n.Text{catalog.ModuleName: i18n.Bilingual(f.nameDE, f.nameEN)}
	if f.citizenDE != "" {
		texts[catalog.ModuleCitizenName] = i18n.German(f.citizenDE)
	}
	if f.shortDE != "" {
		texts[catalog.ModuleShortText] = i18n.Bilingual(f.shortDE, f.shortEN)
	}
	if f.fullDE != "" {
		texts[catalog.ModuleFullText] = i18n.Bilingual(f.fullDE, f.fullEN)
	}
	kw := map[string][]string{}
	if len(f.kwDE) > 0 {
		kw[i18n.DE] = f.kwDE
	}
	if len(f.kwEN) > 0 {
		kw[i18n.EN] = f.kwEN
	}
	status := f.status
	if status == "" {
		status = catalog.StatusPublished
	}
	return &catalog.Service{Status: status, LeikaKeys: []string{f.key}, Texts: texts, Keywords: kw,
		Categories: []string{f.category}, Addressees: f.addressees, BundleIDs: f.bundles}
}

// fixture is a small catalogue over the regions of catalogtest.Regions;
// its services are offered in Eschwege, Bad Sooden-Allendorf, Kassel and
// Darmstadt, by the districts around them, by Hessen or by the Bund.
type fixture struct {
	st       *catalog.Store
	services map[string]string // LeiKa key -> service ID
	offices  map[string]string // region key -> office ID
	online   string            // a federal online service
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	return newFixtureWith(t, catalog.Options{Portal: "HE"})
}

// newFixtureWith is newFixture over a store opened with opt (a test's
// clock).
func newFixtureWith(t testing.TB, opt catalog.Options) *fixture {
	t.Helper()
	st := catalogtest.Open(t, opt)
	f := &fixture{st: st, services: map[string]string{}, offices: map[string]string{}}
	catalogtest.PutRegions(t, st)
	require.NoError(t, st.Update(ctx, func(tx *catalog.Tx) error {
		if err := tx.Put(&catalog.Bundle{Meta: catalog.Meta{ID: bundleID}, Number: 1, Name: i18n.German("Ausweise")}, catalog.Write{}); err != nil {
			return err
		}
		for _, ars := range []string{arsEschwege, arsSooden, arsKassel, arsWerra, arsLKKassel, arsDarmstadt, arsHessen} {
			o := &catalog.Office{Name: i18n.German("Verwaltung " + ars), Kind: catalog.OfficeMunicipality, RegionKey: ars}
			if err := tx.Put(o, catalog.Write{Actor: "test"}); err != nil {
				return err
			}
			f.offices[ars] = o.ID
		}
		od := &catalog.OnlineService{Title: i18n.German("Onlinedienst"), Links: []catalog.Link{{URL: "https://example.org/antrag"}}, RegionKey: catalog.Bund}
		if err := tx.Put(od, catalog.Write{Actor: "test"}); err != nil {
			return err
		}
		f.online = od.ID
		for _, fs := range fixtureServices {
			s := fs.record()
			if err := tx.Put(s, catalog.Write{Actor: "test"}); err != nil {
				return err
			}
			f.services[fs.key] = s.ID
			var places []string
			switch fs.level {
			case "municipality":
				places = []string{arsEschwege, arsSooden, arsKassel, arsDarmstadt}
			case "district":
				places = []string{arsWerra, arsKassel, arsLKKassel, arsDarmstadt}
			case "state":
				places = []string{arsHessen}
			}
			for _, p := range places {
				r := &catalog.Responsibility{LeikaKey: fs.key, RegionKey: p, OfficeID: f.offices[p], Role: catalog.RoleResponsible}
				if err := tx.Put(r, catalog.Write{Actor: "test"}); err != nil {
					return err
				}
			}
			if fs.online {
				r := &catalog.Responsibility{LeikaKey: fs.key, RegionKey: catalog.Bund, OnlineServiceID: od.ID, Role: catalog.RoleResponsible}
				if err := tx.Put(r, catalog.Write{Actor: "test"}); err != nil {
					return err
				}
			}
		}
		// The search dictionary is catalogue data: the fixture has the
		// demo's, as a store the demo was loaded into has.
		for _, c := range dictionary {
			c := *c
			if err := tx.Put(&c, catalog.Write{Actor: "test"}); err != nil {
				return err
			}
		}
		return nil
	}))
	return f
}

// dictionary is the demo's search dictionary (catalog/demo).
var dictionary = func() []*catalog.Concept {
	cs, err := demo.Dictionary()
	if err != nil {
		panic(err)
	}
	return cs
}()

// openMem opens an in-memory index over the fixture.
func openMem(t testing.TB, st *catalog.Store) *Index {
	t.Helper()
	ix, err := Open("", st, nil)
	require.NoError(t, err)
	t.Cleanup(func() { ix.Close() })
	return ix
}

// leikaOf returns the first LeiKa key of each hit.
func leikaOf(hits []Hit) []string {
	out := make([]string, len(hits))
	for i, h := range hits {
		if len(h.LeikaKeys) > 0 {
			out[i] = h.LeikaKeys[0]
		}
	}
	return out
}
