package pvog

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/federation"
	"github.com/leistungsfinder/leistungsfinder/i18n"
)

// MaxJSONBytes is the largest detail document ReadJSON takes.
const MaxJSONBytes = 16 << 20

// detail is the search service's detail JSON of one service (the fields
// this package maps; doc.go lists the ones it leaves out).
type detail struct {
	ID                 string       `json:"id"`
	Name               string       `json:"name"`
	LeikaKeys          []string     `json:"leikakeys"`
	LanguageCode       string       `json:"languageCode"`
	ARS                []string     `json:"ars"`
	Addressees         []string     `json:"addressees"`
	ValidFrom          string       `json:"validFrom"`
	ValidTo            string       `json:"validTo"`
	Synonyms           []string     `json:"synonyms"`
	Details            []module     `json:"details"`
	Typing             []typing     `json:"typing"`
	OnlineServiceLinks []onlineLink `json:"onlineServiceLinks"`
}

type module struct {
	Type        string   `json:"@type"`
	Title       string   `json:"title"`
	Text        string   `json:"text"`
	Code        string   `json:"code"`
	Category    string   `json:"xZufiCategory"`
	Placeholder bool     `json:"placeholder"`
	Links       []link   `json:"links"`
	Details     []module `json:"details"`
}

type link struct {
	URI   string `json:"uri"`
	Title string `json:"title"`
}

type typing struct {
	Code string `json:"code"`
}

type onlineLink struct {
	ID        string `json:"id"`
	URI       string `json:"uri"`
	Title     string `json:"title"`
	ValidFrom string `json:"validFrom"`
	ValidTo   string `json:"validTo"`
}

// position turns a byte offset into line and column.
func position(b []byte, off int64) (int, int) {
	off = min(max(off, 0), int64(len(b)))
	line := 1 + bytes.Count(b[:off], []byte("\n"))
	col := int(off) - bytes.LastIndexByte(b[:off], '\n')
	return line, col
}

// ReadJSON reads one detail document of the search service: a service
// with every text module (in the document's language), fees, deadlines,
// processing time, typisation, addressees, validity, synonyms, and its
// online services with a responsibility each at the service's region. A
// document of the wrong shape (not an object, a field of the wrong type,
// no id or LeiKa key) fails with file, line and column; a value that breaks
// a rule rejects the service with the reason.
func ReadJSON(b []byte, name string) ([]*federation.ImportItem, error) {
	if len(b) > MaxJSONBytes {
		return nil, fmt.Errorf("%s: %d bytes, more than the limit of %d for a detail document", name, len(b), MaxJSONBytes)
	}
	var d detail
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&d); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			l, c := position(b, se.Offset)
			return nil, fmt.Errorf("%s:%d:%d: not JSON: %v", name, l, c, se)
		case errors.As(err, &te):
			l, c := position(b, te.Offset)
			field := te.Field
			if field == "" {
				field = "the document"
			}
			return nil, fmt.Errorf("%s:%d:%d: %s is a JSON %s, the detail JSON has %s there", name, l, c, field, te.Value, kindName(te.Type.Kind()))
		case errors.Is(err, io.ErrUnexpectedEOF):
			l, c := position(b, int64(len(b)))
			return nil, fmt.Errorf("%s:%d:%d: the document ends early (truncated)", name, l, c)
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%s: more than one JSON value", name)
	}
	switch {
	case d.ID == "":
		return nil, fmt.Errorf("%s: no \"id\": not a PVOG detail document", name)
	case len(d.LeikaKeys) == 0:
		return nil, fmt.Errorf("%s: no \"leikakeys\": not a PVOG detail document", name)
	}
	lang := strings.ToLower(d.LanguageCode)
	if i := strings.IndexAny(lang, "-_"); i > 0 {
		lang = lang[:i]
	}
	if lang == "" {
		lang = i18n.DE
	}
	it := &federation.ImportItem{Kind: catalog.KindService, ID: d.ID, Where: name, MatchExternal: d.ID}
	s, problems := d.service(lang)
	if len(problems) > 0 {
		it.Err = errors.New(strings.Join(problems, "; "))
		return []*federation.ImportItem{it}, nil
	}
	it.Record = s
	it.Patch = patchDetail(s, lang)
	out := []*federation.ImportItem{it}
	for i, o := range d.OnlineServiceLinks {
		where := fmt.Sprintf("%s: onlineServiceLinks[%d]", name, i)
		if o.ID == "" || o.URI == "" {
			out = append(out, &federation.ImportItem{Kind: catalog.KindOnlineService, ID: o.ID, Where: where, Err: errors.New("an online service link needs id and uri")})
			continue
		}
		title := o.Title
		if title == "" {
			title = o.URI
		}
		os := &catalog.OnlineService{Title: i18n.Text{lang: {Value: title}}, Links: []catalog.Link{{URL: o.URI}},
			RegionKey: s.RegionKey, ExternalIDs: []string{o.ID}, Validity: validity(o.ValidFrom, o.ValidTo)}
		out = append(out, &federation.ImportItem{Kind: catalog.KindOnlineService, ID: o.ID, Where: where, MatchExternal: o.ID, Record: os},
			&federation.ImportItem{Kind: catalog.KindResponsibility, Where: where, HolderExternal: o.ID,
				Record: &catalog.Responsibility{LeikaKey: s.LeikaKeys[0], RegionKey: s.RegionKey, Role: catalog.RoleResponsible}})
	}
	return out, nil
}

var addressees = map[string]catalog.Addressee{
	"Bürger": catalog.AddresseeCitizen, "Bürgerinnen und Bürger": catalog.AddresseeCitizen, "Citizens": catalog.AddresseeCitizen,
	"Unternehmen": catalog.AddresseeBusiness, "Wirtschaft": catalog.AddresseeBusiness, "Businesses": catalog.AddresseeBusiness,
	"Verwaltung": catalog.AddresseeAdministration, "Behörden": catalog.AddresseeAdministration,
}

// openDates are the search service's stand-ins for an open validity.
func openDate(s string) bool { return s == "" || s == "1970-01-01" || s == "2999-12-31" }

func validity(from, to string) catalog.Validity {
	var v catalog.Validity
	if !openDate(from) {
		if t, err := time.Parse(time.DateOnly, from); err == nil {
			v.From = &t
		}
	}
	if !openDate(to) {
		if t, err := time.Parse(time.DateOnly, to); err == nil {
			v.To = &t
		}
	}
	return v
}

func (d *detail) service(lang string) (*catalog.Service, []string) {
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	s := &catalog.Service{Status: catalog.StatusPublished, LeikaKeys: d.LeikaKeys, ExternalIDs: []string{d.ID},
		Texts: map[catalog.Module]i18n.Text{}, RegionKey: catalog.Bund}
	for i, k := range d.LeikaKeys {
		if !catalog.ValidLeika(k) {
			bad("leikakeys[%d] %q is not 14 digits", i, k)
		}
	}
	if len(d.ARS) > 0 {
		s.RegionKey = d.ARS[0]
		if !catalog.ValidARS(s.RegionKey) {
			bad("ars[0] %q is not a 12-digit region key", s.RegionKey)
		}
	}
	if lang != i18n.DE && lang != i18n.EN {
		bad("languageCode %q: only de and en are stored", d.LanguageCode)
	}
	set := func(m catalog.Module, text string) {
		if strings.TrimSpace(text) == "" {
			return
		}
		if prev, ok := s.Texts[m]; ok {
			text = prev[lang].Value + text
		}
		s.Texts[m] = i18n.Text{lang: {Value: text}}
	}
	for i, m := range d.Details {
		if m.Placeholder {
			continue
		}
		switch m.Category {
		case "TEXT_MODUL":
			mod := catalog.Module(m.Code)
			if !slices.Contains(catalog.Modules, mod) {
				bad("details[%d]: text module code %q is not a LeiKa text module", i, m.Code)
				continue
			}
			set(mod, m.Text+linkList(m.Links))
		case "KOSTEN":
			set(catalog.ModuleFees, m.Text+linkList(m.Links))
			for _, f := range m.Details {
				if fee, ok := parseFee(f, lang); ok {
					s.Fees = append(s.Fees, fee)
				} else {
					set(catalog.ModuleFees, paragraph(f.Title, f.Text))
				}
			}
		case "FRIST":
			set(catalog.ModuleDeadlines, m.Text+linkList(m.Links))
			for _, f := range m.Details {
				dl := catalog.Deadline{Kind: catalog.DeadlineOther, Description: i18n.Text{lang: {Value: f.Text}}, Duration: parseDuration(f.Text)}
				if t := strings.ToLower(f.Title); strings.Contains(t, "widerspruch") || strings.Contains(t, "klage") {
					dl.Kind = catalog.DeadlineRedress
				}
				if f.Text == "" {
					dl.Description = i18n.Text{lang: {Value: f.Title}}
				}
				s.Deadlines = append(s.Deadlines, dl)
			}
		case "BEARBEITUNGSDAUER":
			set(catalog.ModuleProcessingTime, m.Text+linkList(m.Links))
			for _, f := range m.Details {
				if s.Processing == nil {
					p := &catalog.ProcessingTime{Duration: parseDuration(f.Text)}
					if f.Title != "" {
						p.Description = i18n.Text{lang: {Value: f.Title}}
					}
					s.Processing = p
				} else {
					set(catalog.ModuleProcessingTime, paragraph(f.Title, f.Text))
				}
			}
		case "TEXT_MODUL_INDIVIDUELL":
			// The gateway's own status notes (STATUS, STATUSKATALOG).
		default:
			bad("details[%d]: unknown xZufiCategory %q", i, m.Category)
		}
	}
	if _, ok := s.Texts[catalog.ModuleName]; !ok && d.Name != "" && lang == i18n.DE {
		s.Texts[catalog.ModuleName] = i18n.German(d.Name)
	}
	for _, t := range d.Typing {
		s.Typisation = append(s.Typisation, t.Code)
	}
	for i, a := range d.Addressees {
		k, ok := addressees[a]
		if !ok {
			bad("addressees[%d] %q is not Bürger, Unternehmen or Verwaltung", i, a)
			continue
		}
		if !slices.Contains(s.Addressees, k) {
			s.Addressees = append(s.Addressees, k)
		}
	}
	if len(d.Synonyms) > 0 {
		s.Keywords = map[string][]string{lang: d.Synonyms}
	}
	s.Validity = validity(d.ValidFrom, d.ValidTo)
	return s, problems
}

// linkList renders a module's links as an HTML list (the whitelist's a[href]).
func linkList(links []link) string {
	if len(links) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("<ul>")
	for _, l := range links {
		title := l.Title
		if title == "" {
			title = l.URI
		}
		fmt.Fprintf(&b, `<li><a href="%s">%s</a></li>`, html.EscapeString(l.URI), html.EscapeString(title))
	}
	b.WriteString("</ul>")
	return b.String()
}

func paragraph(title, text string) string {
	t := strings.TrimSpace(strings.Trim(title+": "+text, ": "))
	if t == "" {
		return ""
	}
	return "<p>" + html.EscapeString(t) + "</p>"
}

var durationRE = regexp.MustCompile(`(?i)(\d+)\s*(?:bis\s*(\d+)\s*)?(Minuten?|Stunden?|Tagen?|Tage|Werktagen?|Wochen?|Monate?n?|Monat|Jahren?|Jahre|Jahr)\b`)

var units = []struct {
	prefix string
	unit   catalog.TimeUnit
}{{"minute", catalog.UnitMinute}, {"stunde", catalog.UnitHour}, {"werktag", catalog.UnitWorkday}, {"tag", catalog.UnitDay},
	{"woche", catalog.UnitWeek}, {"monat", catalog.UnitMonth}, {"jahr", catalog.UnitYear}}

// parseDuration reads the last "N unit" or "N bis M unit" of a text ("…: 1
// Monat"), nil if there is none.
func parseDuration(s string) *catalog.Duration {
	all := durationRE.FindAllStringSubmatch(s, -1)
	if len(all) == 0 {
		return nil
	}
	m := all[len(all)-1]
	v, err := strconv.Atoi(m[1])
	if err != nil || v > 10000 {
		return nil
	}
	d := &catalog.Duration{Value: v}
	if m[2] != "" {
		if to, err := strconv.Atoi(m[2]); err == nil && to >= v && to <= 10000 {
			d.ValueTo = to
		}
	}
	u := strings.ToLower(m[3])
	for _, x := range units {
		if strings.HasPrefix(u, x.prefix) {
			d.Unit = x.unit
			return d
		}
	}
	return nil
}

var amountRE = regexp.MustCompile(`(\d{1,9}(?:\.\d{3})*(?:,\d{1,2})?)\s*(?:EUR|Euro|€)`)

// parseFee reads a fee detail: "kostenfrei"/"keine" is free, one amount
// in euros fixed, two a range; anything else stays text.
func parseFee(f module, lang string) (catalog.Fee, bool) {
	text := strings.TrimSpace(f.Text)
	desc := i18n.Text{}
	if f.Title != "" {
		desc[lang] = i18n.Version{Value: f.Title}
	} else {
		desc = nil
	}
	low := strings.ToLower(text)
	if low == "keine" || strings.Contains(low, "kostenfrei") || strings.Contains(low, "gebührenfrei") {
		return catalog.Fee{Kind: catalog.FeeFree, Description: desc}, true
	}
	ms := amountRE.FindAllStringSubmatch(text, -1)
	cents := func(s string) (catalog.Cents, bool) {
		s = strings.ReplaceAll(s, ".", "")
		whole, frac, _ := strings.Cut(s, ",")
		for len(frac) < 2 {
			frac += "0"
		}
		v, err := strconv.ParseInt(whole+frac, 10, 64)
		return catalog.Cents(v), err == nil
	}
	switch len(ms) {
	case 1:
		if c, ok := cents(ms[0][1]); ok {
			return catalog.Fee{Kind: catalog.FeeFixed, Amount: c, Description: desc}, true
		}
	case 2:
		lo, ok1 := cents(ms[0][1])
		hi, ok2 := cents(ms[1][1])
		if ok1 && ok2 && hi > lo {
			return catalog.Fee{Kind: catalog.FeeRange, Min: lo, Max: hi, Description: desc}, true
		}
	}
	return catalog.Fee{}, false
}

// patchDetail returns the patch of a matched service by a detail document:
// a service of the Bund takes the document's content in its language (the
// other language's versions stay); a state's own service only gains the
// federal ID.
func patchDetail(in *catalog.Service, lang string) func(catalog.Record) catalog.Record {
	return func(cur catalog.Record) catalog.Record {
		s := cur.(*catalog.Service)
		if !addExternal(s, in) {
			return s
		}
		texts := map[catalog.Module]i18n.Text{}
		for m, t := range s.Texts {
			if other := without(t, lang); other != nil && (lang != i18n.DE || in.Texts[m] != nil) {
				texts[m] = other
			}
		}
		for m, t := range in.Texts {
			merged := texts[m]
			if merged == nil {
				merged = i18n.Text{}
			}
			if old, ok := s.Texts[m][lang]; ok && old.Value == t[lang].Value {
				merged[lang] = old
			} else {
				merged[lang] = t[lang]
			}
			texts[m] = merged
		}
		s.Texts = texts
		if lang == i18n.DE {
			s.LeikaKeys, s.Fees, s.Deadlines, s.Processing = in.LeikaKeys, in.Fees, in.Deadlines, in.Processing
			s.Typisation, s.Addressees, s.Validity = in.Typisation, in.Addressees, in.Validity
		}
		if in.Keywords != nil {
			if s.Keywords == nil {
				s.Keywords = map[string][]string{}
			}
			s.Keywords[lang] = in.Keywords[lang]
		}
		return s
	}
}

// without returns t without the version in lang (nil if nothing is left).
func without(t i18n.Text, lang string) i18n.Text {
	out := i18n.Text{}
	for l, v := range t {
		if l != lang {
			out[l] = v
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func kindName(k reflect.Kind) string {
	switch k {
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Slice:
		return "an array"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	}
	return "a number"
}
