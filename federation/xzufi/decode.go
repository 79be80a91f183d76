package xzufi

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/i18n"
)

// This file maps XZuFi elements to catalogue records (the way back of
// encode.go). Two kinds of trouble are told apart: an element that XZuFi
// 2.2 does not have where it stands makes the document schema-invalid (a
// document error, like the gateway's "one schema-invalid file aborts the
// import"); a value that breaks a rule (an unknown code, a malformed key, a
// missing name) makes only its object invalid (Object.Err).

// tolerated are XZuFi elements the catalogue does not keep; they are
// skipped wherever they occur inside an object.
var tolerated = set("struktur", "modulDokument", "modulFachlicheFreigabe", "modulUrsprungsportal",
	"informationsbereichSDG", "sprachversion", "vertrauensniveauEIDAS", "modulAuskunftshinweis",
	"modulLeistungsergebnis", "modulRechtsbehelf", "modulZustaendigeStelle", "kennzeichenSchriftformerfordernis",
	"kennzeichenEA", "kennzeichenPersoenlichesErscheinen", "herausgeber", "hierarchie", "synonym",
	"kurzbeschreibung", "internetadresse", "bankverbindung", "glaeubigerIdentifikationsnummer",
	"zahlungsweise", "geokodierung", "hausnummer", "staat", "zusatz", "ortsteil",
	"dynamischeParameter", "hilfetext", "kategorieID", "leikaModul", "position", "sprache",
	"auswahlUnterstuetzteSprachen", "zahlungsart", "erstelltDurch", "geaendertDurch", "freigabestatus")

func set(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

type decoder struct {
	errs   []string
	docErr error
}

// invalid records a broken rule of the object.
func (d *decoder) invalid(n *node, format string, args ...any) {
	if len(d.errs) < 10 {
		d.errs = append(d.errs, fmt.Sprintf("%s: %s", n.pos, fmt.Sprintf(format, args...)))
	}
}

// known checks that n has only the children listed (or tolerated ones).
func (d *decoder) known(n *node, allowed ...string) {
	if d.docErr != nil {
		return
	}
	for _, k := range n.kids {
		if tolerated[k.local] {
			continue
		}
		ok := false
		for _, a := range allowed {
			if k.local == a {
				ok = true
				break
			}
		}
		if !ok {
			d.docErr = &Error{Pos: k.pos, Msg: fmt.Sprintf("unknown element <%s> in <%s>", k.local, n.local)}
			return
		}
	}
}

func (d *decoder) objectErr() error {
	if len(d.errs) == 0 {
		return nil
	}
	return fmt.Errorf("%s", strings.Join(d.errs, "; "))
}

// decodeWrite decodes a schreibe element.
func decodeWrite(n *node) (*Object, error) {
	var objs []*node
	for _, k := range n.kids {
		objs = append(objs, k)
	}
	if len(objs) != 1 {
		return nil, &Error{Pos: n.pos, Msg: fmt.Sprintf("schreibe holds %d objects, not one", len(objs))}
	}
	o := objs[0]
	d := &decoder{}
	var obj *Object
	switch o.local {
	case "leistung":
		obj = d.service(o)
	case "organisationseinheit":
		obj = d.office(o)
	case "onlinedienst":
		obj = d.onlineService(o)
	case "spezialisierung":
		obj = d.specialisation(o)
	case "zustaendigkeitTransferObjekt":
		obj = d.transferResponsibility(o)
	case "formular":
		id, _ := d.ident(o.child("id"), o, "id")
		return &Object{ID: id, Pos: o.pos, Skip: "formular: forms are not stored in the catalogue"}, nil
	default:
		return nil, &Error{Pos: o.pos, Msg: fmt.Sprintf("unknown object <%s> in schreibe", o.local)}
	}
	if d.docErr != nil {
		return nil, d.docErr
	}
	obj.Pos = o.pos
	if err := d.objectErr(); err != nil {
		obj.Err = err
		obj.Record = nil
		obj.Responsibilities = nil
	}
	return obj, nil
}

var deleteClasses = map[string]catalog.Kind{
	"Leistung": catalog.KindService, "Organisationseinheit": catalog.KindOffice,
	"Zustaendigkeit": catalog.KindResponsibility, "LeistungSpezialisierung": catalog.KindSpecialisation,
	"Onlinedienst": catalog.KindOnlineService, "Formular": "",
}

// decodeDelete decodes a loesche: class and id as attributes, or the id as
// a child element.
func decodeDelete(n *node) (*Object, error) {
	d := &decoder{}
	d.known(n, "id", "klasse")
	if d.docErr != nil {
		return nil, d.docErr
	}
	class := n.attr("klasse")
	if c := n.child("klasse"); c != nil && class == "" {
		class = strings.TrimSpace(c.text)
		if cc := c.child("code"); cc != nil {
			class = strings.TrimSpace(cc.text)
		}
	}
	id := n.attr("id")
	if c := n.child("id"); c != nil && id == "" {
		id = strings.TrimSpace(c.text)
	}
	obj := &Object{ID: id, Pos: n.pos, Delete: true}
	k, ok := deleteClasses[class]
	switch {
	case !ok:
		obj.Err = &Error{Pos: n.pos, Msg: fmt.Sprintf("loesche of unknown class %q", class)}
	case k == "":
		obj.Skip = "formular: forms are not stored in the catalogue"
	case !validID(id):
		obj.Err = &Error{Pos: n.pos, Msg: fmt.Sprintf("loesche with invalid id %q", id)}
	}
	obj.Kind = k
	return obj, nil
}

// validID: 1 to 200 bytes of UTF-8 without control characters.
func validID(s string) bool {
	if s == "" || len(s) > 200 || !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	return true
}

// ident reads an identifier element: its text and schemeAgencyID.
func (d *decoder) ident(n, parent *node, what string) (id, agency string) {
	if n == nil {
		d.invalid(parent, "<%s> is missing", what)
		return "", ""
	}
	id = strings.TrimSpace(n.text)
	if !validID(id) {
		d.invalid(n, "<%s> %q is not a valid ID (1 to 200 characters, no control characters)", what, id)
	}
	return id, n.attr("schemeAgencyID")
}

// code reads an XÖV code type's code.
func (d *decoder) code(n *node) string {
	d.known(n, "code", "name")
	c := n.child("code")
	if c == nil {
		d.invalid(n, "<%s> has no <code>", n.local)
		return ""
	}
	return strings.TrimSpace(c.text)
}

func normLang(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if i := strings.IndexAny(s, "-_"); i > 0 {
		s = s[:i]
	}
	return s
}

// text reads the language versions of a localized element (one element
// per languageCode) into t.
func (d *decoder) text(t i18n.Text, n *node) i18n.Text {
	d.known(n)
	lang := normLang(n.attr("languageCode"))
	if lang == "" {
		lang = i18n.DE
	}
	if lang != i18n.DE && lang != i18n.EN {
		d.invalid(n, "language %q: only de and en are stored", n.attr("languageCode"))
		return t
	}
	if t == nil {
		t = i18n.Text{}
	}
	if _, dup := t[lang]; dup {
		d.invalid(n, "<%s> twice in language %s", n.local, lang)
	}
	if n.text != "" {
		t[lang] = i18n.Version{Value: n.text}
	}
	if len(t) == 0 {
		return nil
	}
	return t
}

func (d *decoder) texts(nodes []*node) i18n.Text {
	var t i18n.Text
	for _, n := range nodes {
		t = d.text(t, n)
	}
	return t
}

func parseTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, true
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, true
	}
	return time.Time{}, false
}

func (d *decoder) time(n *node) *time.Time {
	if n == nil {
		return nil
	}
	d.known(n)
	t, ok := parseTime(n.text)
	if !ok {
		d.invalid(n, "<%s> %q is not a date (YYYY-MM-DD) or date-time (RFC 3339)", n.local, n.text)
		return nil
	}
	return &t
}

func (d *decoder) validity(n *node) catalog.Validity {
	if n == nil {
		return catalog.Validity{}
	}
	d.known(n, "beginn", "ende")
	return catalog.Validity{From: d.time(n.child("beginn")), To: d.time(n.child("ende"))}
}

func (d *decoder) number(n *node) int {
	d.known(n)
	v, err := strconv.Atoi(strings.TrimSpace(n.text))
	if err != nil {
		d.invalid(n, "<%s> %q is not a whole number", n.local, n.text)
	}
	return v
}

// amount reads a euro amount: digits with up to two decimals after . or ,
func (d *decoder) amount(n *node) catalog.Cents {
	d.known(n)
	if c := n.attr("currencyID"); c != "" && c != "EUR" {
		d.invalid(n, "currency %q: amounts are in EUR", c)
	}
	s := strings.ReplaceAll(strings.TrimSpace(n.text), ",", ".")
	whole, frac, _ := strings.Cut(s, ".")
	if len(frac) > 2 || whole == "" || strings.TrimLeft(whole, "0123456789") != "" || strings.TrimLeft(frac, "0123456789") != "" || len(whole) > 12 {
		d.invalid(n, "<%s> %q is not an amount in euros", n.local, n.text)
		return 0
	}
	for len(frac) < 2 {
		frac += "0"
	}
	v, _ := strconv.ParseInt(whole+frac, 10, 64)
	return catalog.Cents(v)
}

func (d *decoder) duration(n *node) *catalog.Duration {
	d.known(n, "dauer", "einheit", "dauerBis", "einheitBis", "beschreibung")
	var out catalog.Duration
	if v := n.child("dauer"); v != nil {
		out.Value = d.number(v)
	} else {
		d.invalid(n, "<%s> has no <dauer>", n.local)
	}
	if u := n.child("einheit"); u != nil {
		c := d.code(u)
		unit, ok := unitOf(c)
		if !ok {
			d.invalid(u, "time unit %q is not one of JAHR, MONAT, WOCHE, TAG, WERKTAG, ARBEITSTAG, STUNDE, MINUTE", c)
		}
		out.Unit = unit
	} else {
		d.invalid(n, "<%s> has no <einheit>", n.local)
	}
	if v := n.child("dauerBis"); v != nil {
		out.ValueTo = d.number(v)
		if u := n.child("einheitBis"); u != nil {
			if c := d.code(u); unitCodes[out.Unit] != c {
				d.invalid(u, "a range needs one unit: %q and %q", unitCodes[out.Unit], c)
			}
		}
	}
	return &out
}

func (d *decoder) service(n *node) *Object {
	d.known(n, "id", "idSekundaer", "referenzLeiKa", "modulText", "modulKosten", "modulFrist",
		"modulBearbeitungsdauer", "modulBegriffImKontext", "typisierung", "leistungsadressat", "kategorie",
		"klassifizierung", "gueltigkeitGebietID", "versionsinformation", "gueltigkeit", "vertrauensniveau")
	id, agency := d.ident(n.child("id"), n, "id")
	s := &catalog.Service{Meta: catalog.Meta{ID: id}, Status: catalog.StatusPublished, Texts: map[catalog.Module]i18n.Text{}}
	for _, e := range n.children("idSekundaer") {
		d.known(e)
		s.ExternalIDs = append(s.ExternalIDs, strings.TrimSpace(e.text))
	}
	for _, r := range n.children("referenzLeiKa") {
		k := d.code(r)
		if !catalog.ValidLeika(k) {
			d.invalid(r, "LeiKa key %q is not 14 digits", k)
		}
		s.LeikaKeys = append(s.LeikaKeys, k)
	}
	if len(s.LeikaKeys) == 0 {
		d.invalid(n, "the leistung has no referenzLeiKa")
	}
	for _, m := range n.children("modulText") {
		d.known(m, "leikaTextmodul", "inhalt", "weiterfuehrenderLink", "gueltigkeit", "replace")
		c := m.child("leikaTextmodul")
		if c == nil {
			d.invalid(m, "modulText without leikaTextmodul")
			continue
		}
		code := catalog.Module(d.code(c))
		if !knownModule(code) {
			d.invalid(c, "text module code %q is not in the LeiKa text module list", code)
			continue
		}
		if _, dup := s.Texts[code]; dup {
			d.invalid(m, "text module %s twice", code)
		}
		if t := d.texts(m.children("inhalt")); t != nil {
			s.Texts[code] = t
		}
	}
	if s.Texts[catalog.ModuleName].IsZero() {
		d.invalid(n, "the leistung has no name (modulText with code 02)")
	}
	if mk := n.child("modulKosten"); mk != nil {
		d.known(mk, "kosten", "beschreibung", "gueltigkeit")
		for _, k := range mk.children("kosten") {
			s.Fees = append(s.Fees, d.fee(k))
		}
		d.moduleText(s, catalog.ModuleFees, mk.children("beschreibung"))
	}
	if mf := n.child("modulFrist"); mf != nil {
		d.known(mf, "frist", "beschreibung", "gueltigkeit")
		for _, f := range mf.children("frist") {
			s.Deadlines = append(s.Deadlines, d.deadline(f))
		}
		d.moduleText(s, catalog.ModuleDeadlines, mf.children("beschreibung"))
	}
	if mb := n.child("modulBearbeitungsdauer"); mb != nil {
		d.known(mb, "bearbeitungsdauer", "beschreibung", "gueltigkeit")
		if b := mb.child("bearbeitungsdauer"); b != nil {
			d.known(b, "dauer", "einheit", "dauerBis", "einheitBis", "beschreibung")
			p := &catalog.ProcessingTime{Description: d.texts(b.children("beschreibung"))}
			if b.child("dauer") != nil || b.child("einheit") != nil {
				p.Duration = d.duration(b)
			}
			s.Processing = p
		}
		d.moduleText(s, catalog.ModuleProcessingTime, mb.children("beschreibung"))
	}
	if mt := n.child("modulBegriffImKontext"); mt != nil {
		s.Terms, s.Keywords = d.terms(mt)
	}
	for _, t := range n.children("typisierung") {
		s.Typisation = append(s.Typisation, d.code(t))
	}
	for _, a := range n.children("leistungsadressat") {
		c := catalog.Addressee(d.code(a))
		switch c {
		case catalog.AddresseeCitizen, catalog.AddresseeBusiness, catalog.AddresseeAdministration:
		default:
			d.invalid(a, "addressee %q is not CITIZEN, BUSINESS or ADMINISTRATION", c)
		}
		s.Addressees = append(s.Addressees, c)
	}
	for _, c := range n.children("kategorie") {
		s.Categories = append(s.Categories, d.code(c))
	}
	for _, c := range n.children("klassifizierung") {
		switch c.attr("listURI") {
		case listBundle.uri:
			s.BundleIDs = append(s.BundleIDs, d.code(c))
		case listSituation.uri:
			s.LifeSituationIDs = append(s.LifeSituationIDs, d.code(c))
		default:
			d.code(c) // another classification: not kept
		}
	}
	if g := n.child("gueltigkeitGebietID"); g != nil {
		d.known(g)
		s.RegionKey = strings.TrimSpace(g.text)
		if !catalog.ValidARS(s.RegionKey) {
			d.invalid(g, "region key %q is not a 12-digit ARS", s.RegionKey)
		}
	}
	d.versionInfo(n)
	s.Validity = d.validity(n.child("gueltigkeit"))
	if len(s.Texts) == 0 {
		s.Texts = nil
	}
	return &Object{Kind: catalog.KindService, ID: id, Agency: agency, Record: s}
}

func knownModule(m catalog.Module) bool {
	for _, k := range catalog.Modules {
		if k == m {
			return true
		}
	}
	return false
}

func (d *decoder) fee(n *node) catalog.Fee {
	d.known(n, "typ", "betrag", "betragUntergrenze", "betragObergrenze", "kostenfrei", "beschreibung",
		"beschreibungKostenfreiheit", "beschreibungVariabilitaet", "vorkasse", "link")
	var f catalog.Fee
	switch {
	case n.child("betrag") != nil:
		f.Kind = catalog.FeeFixed
		f.Amount = d.amount(n.child("betrag"))
	case n.child("betragUntergrenze") != nil || n.child("betragObergrenze") != nil:
		f.Kind = catalog.FeeRange
		if b := n.child("betragUntergrenze"); b != nil {
			f.Min = d.amount(b)
		}
		if b := n.child("betragObergrenze"); b != nil {
			f.Max = d.amount(b)
		}
	case n.child("kostenfrei") != nil || n.child("beschreibungKostenfreiheit") != nil:
		f.Kind = catalog.FeeFree
		if k := n.child("kostenfrei"); k != nil {
			d.known(k)
			if strings.TrimSpace(k.text) != "true" {
				d.invalid(k, "kostenfrei is %q; a fee without amount must be free", k.text)
			}
		}
	default:
		d.invalid(n, "kosten without betrag, betragUntergrenze/betragObergrenze or kostenfrei")
	}
	if t := n.child("typ"); t != nil {
		d.code(t)
	}
	f.Description = d.texts(append(append(n.children("beschreibung"), n.children("beschreibungKostenfreiheit")...), n.children("beschreibungVariabilitaet")...))
	if v := n.child("vorkasse"); v != nil {
		d.known(v)
		f.Prepayment = strings.TrimSpace(v.text) == "true"
	}
	if l := n.child("link"); l != nil {
		d.known(l)
		f.URL = strings.TrimSpace(l.text)
	}
	return f
}

func (d *decoder) deadline(n *node) catalog.Deadline {
	d.known(n, "typ", "fristDauer", "fristStichtag", "beschreibung", "gueltigkeit")
	var out catalog.Deadline
	out.Kind = catalog.DeadlineOther
	if t := n.child("typ"); t != nil {
		c := d.code(t)
		if t.attr("listURI") == listDeadline.uri {
			switch k := catalog.DeadlineKind(c); k {
			case catalog.DeadlineApplication, catalog.DeadlineRedress, catalog.DeadlineValidity, catalog.DeadlineOther:
				out.Kind = k
			default:
				d.invalid(t, "deadline type %q is not APPLICATION, REDRESS, VALIDITY or OTHER", c)
			}
		}
	}
	if fd := n.child("fristDauer"); fd != nil {
		out.Duration = d.duration(fd)
	}
	if st := n.child("fristStichtag"); st != nil {
		d.known(st, "beginn", "ende")
		out.From, out.To = d.time(st.child("beginn")), d.time(st.child("ende"))
	}
	out.Description = d.texts(n.children("beschreibung"))
	return out
}

func (d *decoder) channel(n *node) catalog.Channel {
	d.known(n, "kanal", "kennung", "zusatz")
	var c catalog.Channel
	if k := n.child("kanal"); k != nil {
		c.Kind = catalog.ChannelKind(d.code(k))
		switch c.Kind {
		case catalog.ChannelPhone, catalog.ChannelFax, catalog.ChannelEmail, catalog.ChannelWeb:
		default:
			d.invalid(k, "channel %q is not PHONE, FAX, EMAIL or WEB", c.Kind)
		}
	} else {
		d.invalid(n, "kommunikation without kanal")
	}
	if v := n.child("kennung"); v != nil {
		d.known(v)
		c.Value = v.text
	}
	c.Note = d.texts(n.children("zusatz"))
	return c
}

func (d *decoder) regionCoding(n *node) string {
	d.known(n, "regionalschluessel", "bundesland", "kreis", "gemeindeschluessel", "bezirk", "gemeindeverband")
	r := n.child("regionalschluessel")
	if r == nil {
		d.invalid(n, "verwaltungspolitischeKodierung without regionalschluessel")
		return ""
	}
	ars := d.code(r)
	if !catalog.ValidARS(ars) {
		d.invalid(r, "region key %q is not a 12-digit ARS", ars)
	}
	return ars
}

func (d *decoder) office(n *node) *Object {
	d.known(n, "id", "idSekundaer", "uebergeordneteOrganisationseinheitID", "kategorie", "name",
		"verwaltungspolitischeKodierung", "anschrift", "kommunikation", "kontaktperson", "oeffnungszeiten",
		"barrierefreiheit", "zustaendigkeit", "versionsinformation", "gueltigkeit", "beschreibung")
	id, agency := d.ident(n.child("id"), n, "id")
	if n.child("id") != nil && agency == "" {
		d.invalid(n.child("id"), "an organisationseinheit's id needs its schemeAgencyID")
	}
	o := &catalog.Office{Meta: catalog.Meta{ID: id}, Kind: catalog.OfficeOther}
	for _, e := range n.children("idSekundaer") {
		d.known(e)
		o.ExternalIDs = append(o.ExternalIDs, strings.TrimSpace(e.text))
	}
	if p := n.child("uebergeordneteOrganisationseinheitID"); p != nil {
		o.ParentID, _ = d.ident(p, n, p.local)
	}
	if k := n.child("kategorie"); k != nil {
		c := d.code(k)
		if k.attr("listURI") == listOfficeKind.uri {
			switch kind := catalog.OfficeKind(c); kind {
			case catalog.OfficeMunicipality, catalog.OfficeDistrict, catalog.OfficeState, catalog.OfficeFederal, catalog.OfficeOther:
				o.Kind = kind
			default:
				d.invalid(k, "office level %q is not MUNICIPALITY, DISTRICT, STATE, FEDERAL or OTHER", c)
			}
		}
	}
	if nm := n.child("name"); nm != nil {
		d.known(nm, "name")
		o.Name = d.texts(nm.children("name"))
	}
	if o.Name.IsZero() {
		d.invalid(n, "the organisationseinheit has no name (name/name)")
	}
	if k := n.child("verwaltungspolitischeKodierung"); k != nil {
		o.RegionKey = d.regionCoding(k)
	}
	for _, a := range n.children("anschrift") {
		d.known(a, "typ", "strasse", "postfach", "postleitzahl", "ort", "verwaltungspolitischeKodierung")
		var ad catalog.Address
		if t := a.child("typ"); t != nil {
			c := d.code(t)
			k, ok := addressKindOf(c)
			if !ok {
				d.invalid(t, "address type %q is not one of 001 to 006", c)
			}
			ad.Kind = k
		} else {
			ad.Kind = catalog.AddressVisitor
		}
		for _, f := range []struct {
			name string
			dst  *string
		}{{"strasse", &ad.Street}, {"postfach", &ad.POBox}, {"postleitzahl", &ad.PostalCode}, {"ort", &ad.City}} {
			if c := a.child(f.name); c != nil {
				d.known(c)
				*f.dst = c.text
			}
		}
		if k := a.child("verwaltungspolitischeKodierung"); k != nil {
			ad.RegionKey = d.regionCoding(k)
		}
		if o.RegionKey == "" && ad.RegionKey != "" {
			// Real exports code the region in the address only.
			o.RegionKey = ad.RegionKey
		}
		o.Addresses = append(o.Addresses, ad)
	}
	if o.RegionKey == "" {
		d.invalid(n, "the organisationseinheit has no region key (verwaltungspolitischeKodierung)")
	}
	for _, c := range n.children("kommunikation") {
		o.Channels = append(o.Channels, d.channel(c))
	}
	for _, k := range n.children("kontaktperson") {
		d.known(k, "name", "funktion", "raum", "kommunikation")
		var c catalog.Contact
		if nm := k.child("name"); nm != nil {
			d.known(nm)
			c.Name = nm.text
		}
		c.Position = d.texts(k.children("funktion"))
		if r := k.child("raum"); r != nil {
			d.known(r)
			c.Room = r.text
		}
		for _, ch := range k.children("kommunikation") {
			c.Channels = append(c.Channels, d.channel(ch))
		}
		o.Contacts = append(o.Contacts, c)
	}
	if oh := n.child("oeffnungszeiten"); oh != nil {
		d.known(oh, "zeitraum", "hinweis")
		for _, z := range oh.children("zeitraum") {
			d.known(z, "wochentag", "beginn", "ende")
			var s catalog.Slot
			if w := z.child("wochentag"); w != nil {
				c := d.code(w)
				day, ok := weekdayOf(c)
				if !ok {
					d.invalid(w, "weekday %q is not 1 (Monday) to 7 (Sunday)", c)
				}
				s.Day = day
			}
			if b := z.child("beginn"); b != nil {
				d.known(b)
				s.Open = strings.TrimSpace(b.text)
			}
			if e := z.child("ende"); e != nil {
				d.known(e)
				s.Close = strings.TrimSpace(e.text)
			}
			o.OpeningHours.Slots = append(o.OpeningHours.Slots, s)
		}
		o.OpeningHours.Notes = d.texts(oh.children("hinweis"))
	}
	o.Accessibility = d.texts(n.children("barrierefreiheit"))
	obj := &Object{Kind: catalog.KindOffice, ID: id, Agency: agency, Record: o}
	for _, z := range n.children("zustaendigkeit") {
		obj.Responsibilities = append(obj.Responsibilities, d.responsibility(z, catalog.KindOffice, id)...)
	}
	d.versionInfo(n)
	o.Validity = d.validity(n.child("gueltigkeit"))
	return obj
}

// responsibility reads a zustaendigkeit: one Responsibility per region key.
func (d *decoder) responsibility(n *node, holderKind catalog.Kind, holder string) []Responsibility {
	d.known(n, "id", "leistungID", "gebietID", "rolle", "gueltigkeit")
	var id string
	if n.child("id") != nil {
		id, _ = d.ident(n.child("id"), n, "id")
	}
	leistungen := n.children("leistungID")
	if len(leistungen) != 1 {
		d.invalid(n, "a zustaendigkeit names %d services (leistungID), not one", len(leistungen))
		return nil
	}
	svc, _ := d.ident(leistungen[0], n, "leistungID")
	role := catalog.RoleResponsible
	if r := n.child("rolle"); r != nil {
		c := d.code(r)
		if r.attr("listURI") == listRole.uri {
			switch k := catalog.Role(c); k {
			case catalog.RoleResponsible, catalog.RoleContactPoint, catalog.RoleUniformContact:
				role = k
			default:
				d.invalid(r, "role %q is not RESPONSIBLE, CONTACT_POINT or UNIFORM_CONTACT", c)
			}
		}
	}
	validity := d.validity(n.child("gueltigkeit"))
	gebiete := n.children("gebietID")
	if len(gebiete) == 0 {
		d.invalid(n, "a zustaendigkeit without region (gebietID)")
	}
	var out []Responsibility
	for i, g := range gebiete {
		d.known(g)
		ars := strings.TrimSpace(g.text)
		if !catalog.ValidARS(ars) {
			d.invalid(g, "region key %q is not a 12-digit ARS", ars)
		}
		rid := id
		if id == "" {
			// Without an id of its own: holder, service and region make one.
			rid = holder + "/" + svc + "/" + ars
		} else if i > 0 {
			rid = fmt.Sprintf("%s.%d", id, i+1)
		}
		out = append(out, Responsibility{ID: rid, HolderKind: holderKind, HolderID: holder, ServiceID: svc,
			RegionKey: ars, Role: role, Validity: validity, Pos: g.pos})
	}
	return out
}

func (d *decoder) transferResponsibility(n *node) *Object {
	d.known(n, "uebergeordnetesObjektID", "zustaendigkeit")
	holder, _ := d.ident(n.child("uebergeordnetesObjektID"), n, "uebergeordnetesObjektID")
	z := n.child("zustaendigkeit")
	obj := &Object{Kind: catalog.KindResponsibility}
	if z == nil {
		d.invalid(n, "zustaendigkeitTransferObjekt without zustaendigkeit")
		return obj
	}
	obj.Responsibilities = d.responsibility(z, "", holder)
	if len(obj.Responsibilities) > 0 {
		obj.ID = obj.Responsibilities[0].ID
	}
	return obj
}

func (d *decoder) onlineService(n *node) *Object {
	d.known(n, "id", "idSekundaer", "bezeichnung", "beschreibung", "link", "vertrauensniveau",
		"identifizierungsmittel", "gueltigkeitGebietID", "zustaendigkeit", "versionsinformation", "gueltigkeit")
	id, agency := d.ident(n.child("id"), n, "id")
	o := &catalog.OnlineService{Meta: catalog.Meta{ID: id}}
	for _, e := range n.children("idSekundaer") {
		d.known(e)
		o.ExternalIDs = append(o.ExternalIDs, strings.TrimSpace(e.text))
	}
	o.Title = d.texts(n.children("bezeichnung"))
	o.Description = d.texts(n.children("beschreibung"))
	for _, l := range n.children("link") {
		d.known(l, "typ", "link", "titel")
		if t := l.child("typ"); t != nil {
			if c := d.code(t); c != linkTypeOnline {
				continue // help pages, privacy notes: not the service's link
			}
		}
		u := l.child("link")
		if u == nil {
			d.invalid(l, "link without link")
			continue
		}
		d.known(u)
		o.Links = append(o.Links, catalog.Link{URL: strings.TrimSpace(u.text), Title: d.texts(l.children("titel"))})
	}
	if t := n.child("vertrauensniveau"); t != nil {
		c := d.code(t)
		if t.attr("listURI") == listTrust.uri {
			o.TrustLevel = catalog.TrustLevel(c)
		}
	}
	for _, m := range n.children("identifizierungsmittel") {
		o.Identification = append(o.Identification, d.code(m))
	}
	if g := n.child("gueltigkeitGebietID"); g != nil {
		d.known(g)
		o.RegionKey = strings.TrimSpace(g.text)
		if !catalog.ValidARS(o.RegionKey) {
			d.invalid(g, "region key %q is not a 12-digit ARS", o.RegionKey)
		}
	}
	obj := &Object{Kind: catalog.KindOnlineService, ID: id, Agency: agency, Record: o}
	for _, z := range n.children("zustaendigkeit") {
		obj.Responsibilities = append(obj.Responsibilities, d.responsibility(z, catalog.KindOnlineService, id)...)
	}
	d.versionInfo(n)
	o.Validity = d.validity(n.child("gueltigkeit"))
	return obj
}

func (d *decoder) specialisation(n *node) *Object {
	d.known(n, "id", "referenzLeiKa", "leistungID", "gebietID", "modulText", "modulBegriffImKontext", "ersetzt", "versionsinformation", "gueltigkeit")
	id, agency := d.ident(n.child("id"), n, "id")
	s := &catalog.Specialisation{Meta: catalog.Meta{ID: id}, Status: catalog.StatusPublished, Mode: catalog.ModeAppend}
	if r := n.child("referenzLeiKa"); r != nil {
		s.LeikaKey = d.code(r)
		if !catalog.ValidLeika(s.LeikaKey) {
			d.invalid(r, "LeiKa key %q is not 14 digits", s.LeikaKey)
		}
	} else {
		d.invalid(n, "the spezialisierung has no referenzLeiKa")
	}
	if g := n.child("gebietID"); g != nil {
		d.known(g)
		s.RegionKey = strings.TrimSpace(g.text)
		if !catalog.ValidARS(s.RegionKey) {
			d.invalid(g, "region key %q is not a 12-digit ARS", s.RegionKey)
		}
	} else {
		d.invalid(n, "the spezialisierung has no gebietID")
	}
	mods := n.children("modulText")
	if mt := n.child("modulBegriffImKontext"); mt != nil && len(mods) == 0 {
		s.Terms, _ = d.terms(mt)
		s.Mode = ""
	} else if len(mods) != 1 {
		d.invalid(n, "a spezialisierung adds to one text module here, not %d", len(mods))
	} else {
		m := mods[0]
		d.known(m, "leikaTextmodul", "inhalt", "replace", "gueltigkeit")
		if c := m.child("leikaTextmodul"); c != nil {
			s.Module = catalog.Module(d.code(c))
			if !knownModule(s.Module) {
				d.invalid(c, "text module code %q is not in the LeiKa text module list", s.Module)
			}
		} else {
			d.invalid(m, "modulText without leikaTextmodul")
		}
		s.Text = d.texts(m.children("inhalt"))
		if r := m.child("replace"); r != nil {
			d.known(r)
			if strings.TrimSpace(r.text) == "true" {
				s.Mode = catalog.ModeReplace
			}
		}
	}
	if r := n.child("ersetzt"); r != nil {
		s.Replaces, _ = d.ident(r, n, "ersetzt")
	}
	d.versionInfo(n)
	return &Object{Kind: catalog.KindSpecialisation, ID: id, Agency: agency, Record: s}
}

// versionInfo checks an object's versionsinformation; the store keeps its
// own versions, times and editors, so nothing of it is taken.
func (d *decoder) versionInfo(n *node) {
	if v := n.child("versionsinformation"); v != nil {
		d.known(v, "erstelltDatumZeit", "geaendertDatumZeit", "version", "erstelltDurch", "geaendertDurch")
	}
}

// terms reads a modulBegriffImKontext: terms of this portal's keyword type
// are keywords, all others terms in context with their type.
func (d *decoder) terms(n *node) (terms []catalog.Term, keywords map[string][]string) {
	d.known(n, "begriffImKontext", "gueltigkeit")
	for _, b := range n.children("begriffImKontext") {
		d.known(b, "begriff", "typ")
		typ, keyword := catalog.DefaultTermType, false
		if t := b.child("typ"); t != nil {
			typ = d.code(t)
			keyword = t.attr("listURI") == listKeyword.uri
		}
		for _, w := range b.children("begriff") {
			d.known(w)
			lang := normLang(w.attr("languageCode"))
			if lang == "" {
				lang = i18n.DE
			}
			if lang != i18n.DE && lang != i18n.EN {
				d.invalid(w, "language %q: only de and en are stored", w.attr("languageCode"))
				continue
			}
			if keyword {
				if keywords == nil {
					keywords = map[string][]string{}
				}
				keywords[lang] = append(keywords[lang], w.text)
				continue
			}
			terms = append(terms, catalog.Term{Text: w.text, Lang: lang, Type: typ})
		}
	}
	return terms, keywords
}

// moduleText sets a free-text module from a structured module's
// description (modulKosten/beschreibung is module 10, and so on).
func (d *decoder) moduleText(s *catalog.Service, m catalog.Module, nodes []*node) {
	if t := d.texts(nodes); t != nil {
		if _, dup := s.Texts[m]; dup {
			d.invalid(nodes[0], "text module %s both as modulText and as description", m)
		}
		s.Texts[m] = t
	}
}
