package xzufi

import (
	"fmt"
	"strconv"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/i18n"
)

// This file maps catalogue records to XZuFi elements; doc.go has the
// mapping table, decode.go the way back.

func (x *xmlWriter) validity(v catalog.Validity) {
	if v.From == nil && v.To == nil {
		return
	}
	x.open("gueltigkeit")
	if v.From != nil {
		x.leaf("beginn", formatTime(*v.From))
	}
	if v.To != nil {
		x.leaf("ende", formatTime(*v.To))
	}
	x.close("gueltigkeit")
}

func (x *xmlWriter) versionInfo(m *catalog.Meta) {
	x.open("versionsinformation")
	if !m.CreatedAt.IsZero() {
		x.leaf("erstelltDatumZeit", formatTime(m.CreatedAt))
	}
	if !m.UpdatedAt.IsZero() {
		x.leaf("geaendertDatumZeit", formatTime(m.UpdatedAt))
	}
	x.leaf("version", strconv.Itoa(m.Version))
	x.close("versionsinformation")
}

func (x *xmlWriter) regionKey(name, ars string) {
	if ars != "" {
		x.leaf(name, ars)
	}
}

// coding writes a verwaltungspolitischeKodierung with the region key.
func (x *xmlWriter) coding(ars string) {
	x.open("verwaltungspolitischeKodierung")
	x.code("regionalschluessel", listRegionKey, ars)
	x.close("verwaltungspolitischeKodierung")
}

func (x *xmlWriter) duration(d *catalog.Duration) {
	x.int("dauer", int64(d.Value))
	x.code("einheit", listTimeUnit, unitCodes[d.Unit])
	if d.ValueTo != 0 {
		x.int("dauerBis", int64(d.ValueTo))
		x.code("einheitBis", listTimeUnit, unitCodes[d.Unit])
	}
}

func formatCents(c catalog.Cents) string {
	sign := ""
	if c < 0 {
		sign, c = "-", -c
	}
	return fmt.Sprintf("%s%d.%02d", sign, c/100, c%100)
}

func (x *xmlWriter) amount(name string, c catalog.Cents) {
	x.leaf(name, formatCents(c), "currencyID", "EUR")
}

// service writes a leistung.
func (x *xmlWriter) service(s *catalog.Service, agency string) {
	x.open("leistung")
	x.ident("id", s.ID, agency)
	for _, e := range s.ExternalIDs {
		x.leaf("idSekundaer", e)
	}
	for _, k := range s.LeikaKeys {
		x.code("referenzLeiKa", listLeika, k)
	}
	for _, m := range catalog.Modules {
		t, ok := s.Texts[m]
		if !ok || t.IsZero() || structuredModule[m] {
			continue
		}
		x.open("modulText")
		x.code("leikaTextmodul", listTextModule, string(m))
		x.text("inhalt", t)
		x.close("modulText")
	}
	if len(s.Fees) > 0 || !s.Texts[catalog.ModuleFees].IsZero() {
		x.open("modulKosten")
		for _, f := range s.Fees {
			x.open("kosten")
			switch f.Kind {
			case catalog.FeeFixed:
				x.amount("betrag", f.Amount)
			case catalog.FeeRange:
				x.amount("betragUntergrenze", f.Min)
				x.amount("betragObergrenze", f.Max)
			case catalog.FeeFree:
				x.boolean("kostenfrei", true)
			}
			x.text("beschreibung", f.Description)
			if f.Prepayment {
				x.boolean("vorkasse", true)
			}
			if f.URL != "" {
				x.leaf("link", f.URL)
			}
			x.close("kosten")
		}
		x.text("beschreibung", s.Texts[catalog.ModuleFees])
		x.close("modulKosten")
	}
	if len(s.Deadlines) > 0 || !s.Texts[catalog.ModuleDeadlines].IsZero() {
		x.open("modulFrist")
		for _, d := range s.Deadlines {
			x.open("frist")
			x.code("typ", listDeadline, string(d.Kind))
			if d.Duration != nil {
				x.open("fristDauer")
				x.duration(d.Duration)
				x.close("fristDauer")
			}
			if d.From != nil || d.To != nil {
				x.open("fristStichtag")
				if d.From != nil {
					x.leaf("beginn", formatTime(*d.From))
				}
				if d.To != nil {
					x.leaf("ende", formatTime(*d.To))
				}
				x.close("fristStichtag")
			}
			x.text("beschreibung", d.Description)
			x.close("frist")
		}
		x.text("beschreibung", s.Texts[catalog.ModuleDeadlines])
		x.close("modulFrist")
	}
	if p := s.Processing; p != nil || !s.Texts[catalog.ModuleProcessingTime].IsZero() {
		x.open("modulBearbeitungsdauer")
		if p != nil {
			x.open("bearbeitungsdauer")
			if p.Duration != nil {
				x.duration(p.Duration)
			}
			x.text("beschreibung", p.Description)
			x.close("bearbeitungsdauer")
		}
		x.text("beschreibung", s.Texts[catalog.ModuleProcessingTime])
		x.close("modulBearbeitungsdauer")
	}
	x.terms(s.Terms, s.Keywords)
	for _, t := range s.Typisation {
		x.code("typisierung", listTypisation, t)
	}
	for _, a := range s.Addressees {
		x.code("leistungsadressat", listAddressee, string(a))
	}
	for _, c := range s.Categories {
		x.code("kategorie", listCategory, c)
	}
	for _, b := range s.BundleIDs {
		x.code("klassifizierung", listBundle, b)
	}
	for _, l := range s.LifeSituationIDs {
		x.code("klassifizierung", listSituation, l)
	}
	x.regionKey("gueltigkeitGebietID", s.RegionKey)
	x.versionInfo(&s.Meta)
	x.validity(s.Validity)
	x.close("leistung")
}

func (x *xmlWriter) channel(c catalog.Channel) {
	x.open("kommunikation")
	x.code("kanal", listChannel, string(c.Kind))
	x.leaf("kennung", c.Value)
	x.text("zusatz", c.Note)
	x.close("kommunikation")
}

// office writes an organisationseinheit; each(fn) hands it the office's
// responsibilities one by one.
func (x *xmlWriter) office(o *catalog.Office, agency string, resps func(fn func(*catalog.Responsibility) error) error, serviceOf func(leika string) string) error {
	x.open("organisationseinheit")
	x.ident("id", o.ID, agency)
	for _, e := range o.ExternalIDs {
		x.leaf("idSekundaer", e)
	}
	if o.ParentID != "" {
		x.ident("uebergeordneteOrganisationseinheitID", o.ParentID, agency)
	}
	x.code("kategorie", listOfficeKind, string(o.Kind))
	x.open("name")
	x.text("name", o.Name)
	x.close("name")
	x.coding(o.RegionKey)
	for _, a := range o.Addresses {
		x.open("anschrift")
		x.code("typ", listAddressType, addressCodes[a.Kind])
		if a.Street != "" {
			x.leaf("strasse", a.Street)
		}
		if a.POBox != "" {
			x.leaf("postfach", a.POBox)
		}
		x.leaf("postleitzahl", a.PostalCode)
		x.leaf("ort", a.City)
		if a.RegionKey != "" {
			x.coding(a.RegionKey)
		}
		x.close("anschrift")
	}
	for _, c := range o.Channels {
		x.channel(c)
	}
	for _, c := range o.Contacts {
		x.open("kontaktperson")
		x.leaf("name", c.Name)
		x.text("funktion", c.Position)
		if c.Room != "" {
			x.leaf("raum", c.Room)
		}
		for _, ch := range c.Channels {
			x.channel(ch)
		}
		x.close("kontaktperson")
	}
	if len(o.OpeningHours.Slots) > 0 || !o.OpeningHours.Notes.IsZero() {
		x.open("oeffnungszeiten")
		for _, s := range o.OpeningHours.Slots {
			x.open("zeitraum")
			x.code("wochentag", listWeekday, weekdayCodes[s.Day])
			x.leaf("beginn", s.Open)
			x.leaf("ende", s.Close)
			x.close("zeitraum")
		}
		x.text("hinweis", o.OpeningHours.Notes)
		x.close("oeffnungszeiten")
	}
	x.text("barrierefreiheit", o.Accessibility)
	if err := resps(func(r *catalog.Responsibility) error { x.responsibility(r, agency, serviceOf); return x.err }); err != nil {
		return err
	}
	x.versionInfo(&o.Meta)
	x.validity(o.Validity)
	x.close("organisationseinheit")
	return x.err
}

// responsibility writes a zustaendigkeit nested in its office or online
// service: the responsibility's own ID, the service it is for and one
// region key.
func (x *xmlWriter) responsibility(r *catalog.Responsibility, agency string, serviceOf func(string) string) {
	x.open("zustaendigkeit")
	x.ident("id", r.ID, agency)
	x.ident("leistungID", serviceOf(r.LeikaKey), agency)
	x.leaf("gebietID", r.RegionKey)
	x.code("rolle", listRole, string(r.Role))
	x.validity(r.Validity)
	x.close("zustaendigkeit")
}

// onlineService writes an onlinedienst with its responsibilities.
func (x *xmlWriter) onlineService(o *catalog.OnlineService, agency string, resps func(fn func(*catalog.Responsibility) error) error, serviceOf func(string) string) error {
	x.open("onlinedienst")
	x.ident("id", o.ID, agency)
	for _, e := range o.ExternalIDs {
		x.leaf("idSekundaer", e)
	}
	x.text("bezeichnung", o.Title)
	x.text("beschreibung", o.Description)
	for _, l := range o.Links {
		x.open("link")
		x.code("typ", listLinkType, linkTypeOnline)
		x.leaf("link", l.URL)
		x.text("titel", l.Title)
		x.close("link")
	}
	if o.TrustLevel != "" {
		x.code("vertrauensniveau", listTrust, string(o.TrustLevel))
	}
	for _, m := range o.Identification {
		x.code("identifizierungsmittel", listIdent, m)
	}
	x.regionKey("gueltigkeitGebietID", o.RegionKey)
	if err := resps(func(r *catalog.Responsibility) error { x.responsibility(r, agency, serviceOf); return x.err }); err != nil {
		return err
	}
	x.versionInfo(&o.Meta)
	x.validity(o.Validity)
	x.close("onlinedienst")
	return x.err
}

// specialisation writes a spezialisierung: a region's addition to one text
// module of the service with a LeiKa key.
func (x *xmlWriter) specialisation(s *catalog.Specialisation, agency string) {
	x.open("spezialisierung")
	x.ident("id", s.ID, agency)
	x.code("referenzLeiKa", listLeika, s.LeikaKey)
	x.leaf("gebietID", s.RegionKey)
	if len(s.Terms) > 0 {
		x.terms(s.Terms, nil)
	} else {
		x.open("modulText")
		x.code("leikaTextmodul", listTextModule, string(s.Module))
		x.text("inhalt", s.Text)
		x.boolean("replace", s.Mode == catalog.ModeReplace)
		x.close("modulText")
	}
	if s.Replaces != "" {
		x.ident("ersetzt", s.Replaces, agency)
	}
	x.versionInfo(&s.Meta)
	x.close("spezialisierung")
}

// terms writes a modulBegriffImKontext: the editorial terms in context with
// their type, then the keywords (typed in this portal's keyword list).
func (x *xmlWriter) terms(terms []catalog.Term, keywords map[string][]string) {
	if len(terms) == 0 && len(keywords) == 0 {
		return
	}
	x.open("modulBegriffImKontext")
	for _, t := range terms {
		x.open("begriffImKontext")
		x.leaf("begriff", t.Text, "languageCode", t.Lang)
		x.code("typ", listTermType, t.Type)
		x.close("begriffImKontext")
	}
	for _, lang := range i18n.Supported {
		for _, k := range keywords[lang] {
			x.open("begriffImKontext")
			x.leaf("begriff", k, "languageCode", lang)
			x.code("typ", listKeyword, keywordType)
			x.close("begriffImKontext")
		}
	}
	x.close("modulBegriffImKontext")
}

// structuredModule are the catalogue's free-text modules for fees (10),
// processing time (12) and deadlines (13): XZuFi has them as the
// description of modulKosten, modulBearbeitungsdauer and modulFrist, not
// as modulText.
var structuredModule = map[catalog.Module]bool{catalog.ModuleFees: true, catalog.ModuleProcessingTime: true, catalog.ModuleDeadlines: true}
