package demo

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/i18n"
)

// Scale is the size of a generated catalogue. Its counts include the demo
// catalogue, which every generated catalogue contains unchanged, so that
// the relevance set and the known places (Gewerbe anmelden in Eschwege)
// keep answering while synthetic services compete with the real ones.
type Scale struct {
	Name             string
	Services         int
	Offices          int
	Responsibilities int
}

// Scales are the sizes the benchmarks use: S is the demo catalogue as it
// is, L the size of the whole portal network (every German region, 20,000
// services, 60,000 offices, 5 million responsibilities), M a tenth of L.
var Scales = []Scale{
	{Name: "S"},
	{Name: "M", Services: 2_000, Offices: 6_000, Responsibilities: 500_000},
	{Name: "L", Services: 20_000, Offices: 60_000, Responsibilities: 5_000_000},
}

// ScaleNamed returns the scale of a name (S, M or L).
func ScaleNamed(name string) (Scale, error) {
	for _, s := range Scales {
		if strings.EqualFold(s.Name, name) {
			return s, nil
		}
	}
	return Scale{}, fmt.Errorf("unknown scale %q (S, M or L)", name)
}

// First numbers of the synthetic records' IDs: above every range the demo
// uses (its highest is the federal services' and online services' 5000001…),
// so a generated record is recognisable by its ID.
const firstSynthetic = 7_000_001

// synthLeikaPrefix starts the LeiKa keys of synthetic services. No real
// LeiKa key starts with 97 (the catalogue's keys start with 99), so a
// synthetic key never shadows a real one.
const synthLeikaPrefix = "97"

// ScaleOptions configure LoadScale.
type ScaleOptions struct {
	// Seed makes a different catalogue of the same size; equal seeds give
	// equal catalogues.
	Seed uint64
	// Log receives progress lines (every few seconds) and the summary.
	Log *slog.Logger
	// BatchSize is how many records one write transaction holds (default
	// 10,000): the memory a load needs is bounded by it.
	BatchSize int
	// AfterBatch, when set, is called after each committed batch with the
	// number of records this run has written so far.
	AfterBatch func(written int)
}

// LoadScale writes the demo catalogue and synthetic records up to the scale
// into st, streaming: records are made as they are written, in
// transactions of BatchSize, so memory does not grow with the scale.
//
// It is resumable: the records and their order depend only on the scale and
// the seed, and each batch commits whole, so a batch whose last record is
// already in the store was written by an earlier run and is skipped. Run it
// again with the same scale and seed after a kill and it continues where
// it stopped. The caller makes sure the store holds nothing else (the
// command keeps a marker file beside the store).
func LoadScale(ctx context.Context, st *catalog.Store, sc Scale, opt ScaleOptions) (Summary, error) {
	if opt.Log == nil {
		opt.Log = slog.New(slog.DiscardHandler)
	}
	if opt.BatchSize <= 0 {
		opt.BatchSize = 10_000
	}
	start := time.Now()
	c, err := build(opt.Log)
	if err != nil {
		return Summary{}, fmt.Errorf("demo: %w", err)
	}
	g, err := newScaler(c, sc, opt.Seed)
	if err != nil {
		return Summary{}, err
	}
	w := &batchWriter{ctx: ctx, st: st, size: opt.BatchSize, log: opt.Log, after: opt.AfterBatch, write: catalog.Write{Actor: "gen", Reason: "generated catalogue, scale " + sc.Name}}
	for _, grp := range c.groups() {
		if err := w.all(grp.kind, len(grp.records), func(i int) catalog.Record { return grp.records[i] }); err != nil {
			return Summary{}, err
		}
	}
	if err := g.stream(w); err != nil {
		return Summary{}, err
	}
	sum := c.summary()
	sum.Services += g.services
	sum.Offices += len(g.offices)
	sum.OnlineServices += g.online
	sum.Responsibilities += g.respTotal
	opt.Log.Info("generated catalogue written", "scale", sc.Name, "seed", opt.Seed, "regions", sum.Regions,
		"services", sum.Services, "offices", sum.Offices, "onlineServices", sum.OnlineServices,
		"responsibilities", sum.Responsibilities, "written", w.written, "skipped", w.skipped,
		"revision", st.Revision(), "took", time.Since(start))
	return sum, nil
}

// batchWriter writes records in transactions of a fixed size and skips the
// batches an earlier run committed.
type batchWriter struct {
	ctx   context.Context
	st    *catalog.Store
	size  int
	log   *slog.Logger
	after func(written int)
	write catalog.Write

	kind             catalog.Kind
	total, done      int
	pending          []catalog.Record
	written, skipped int
	kindStart        time.Time
	lastLog          time.Time
}

func (w *batchWriter) begin(k catalog.Kind, total int) {
	w.kind, w.total, w.done = k, total, 0
	w.kindStart, w.lastLog = time.Now(), time.Now()
}

// all writes the n records of a kind that mk makes.
func (w *batchWriter) all(k catalog.Kind, n int, mk func(i int) catalog.Record) error {
	w.begin(k, n)
	for i := 0; i < n; i++ {
		if err := w.add(mk(i)); err != nil {
			return err
		}
	}
	return w.end()
}

func (w *batchWriter) add(r catalog.Record) error {
	w.pending = append(w.pending, r)
	if len(w.pending) >= w.size {
		return w.flush()
	}
	return nil
}

func (w *batchWriter) end() error {
	if err := w.flush(); err != nil {
		return err
	}
	w.log.Info("gen: written", "kind", w.kind, "count", w.done, "took", time.Since(w.kindStart))
	return nil
}

func (w *batchWriter) flush() error {
	if len(w.pending) == 0 {
		return nil
	}
	if err := w.ctx.Err(); err != nil {
		return err
	}
	batch := w.pending
	w.pending = w.pending[:0]
	last := catalog.MetaOf(batch[len(batch)-1]).ID
	var done bool
	if err := w.st.View(w.ctx, func(tx *catalog.Tx) error { done = tx.Exists(w.kind, last); return nil }); err != nil {
		return err
	}
	if done {
		w.skipped += len(batch)
	} else {
		err := w.st.Update(w.ctx, func(tx *catalog.Tx) error {
			_, err := put(w.ctx, tx, w.kind, batch, w.write, false)
			return err
		})
		if err != nil {
			return fmt.Errorf("gen: %w", err)
		}
		w.written += len(batch)
		if w.after != nil {
			w.after(w.written)
		}
	}
	w.done += len(batch)
	if time.Since(w.lastLog) >= 3*time.Second {
		w.lastLog = time.Now()
		el := time.Since(w.kindStart).Seconds()
		rate := float64(w.done) / el
		eta := time.Duration(float64(w.total-w.done) / rate * float64(time.Second))
		w.log.Info("gen: progress", "kind", w.kind, "done", w.done, "total", w.total,
			"perSecond", int(rate), "eta", eta, "skipped", w.skipped)
	}
	return nil
}

// scaler makes the synthetic records. Each record is made from its own
// random source seeded by the seed, its kind and its number, so it is the
// same whatever was made before it.
type scaler struct {
	c     *catalogue
	sc    Scale
	seed  uint64
	vocab *vocabulary

	places    []*catalog.Region // municipalities and district-free cities, by key
	kreise    []*catalog.Region // districts (Landkreise and district-free cities)
	laender   []*catalog.Region
	parentOf  map[string]string
	officesAt map[string][]string // region key -> office IDs (demo and synthetic)

	services  int
	offices   []synthOffice
	online    int
	levels    []tier // per synthetic service
	counts    []int  // responsibilities per synthetic service
	respTotal int
}

type synthOffice struct {
	id, ars, kind string
	region        *catalog.Region
}

type tier int

const (
	tierMunicipal tier = iota
	tierDistrict
	tierState
	tierFederal
)

// Kinds of random sources (part of each record's seed).
const (
	srcService uint64 = iota + 1
	srcOffice
	srcOnline
	srcResp
	srcPlan
)

func (g *scaler) rng(kind uint64, n int) *rand.Rand {
	return rand.New(rand.NewPCG(g.seed, kind<<40|uint64(n)))
}

func newScaler(c *catalogue, sc Scale, seed uint64) (*scaler, error) {
	g := &scaler{c: c, sc: sc, seed: seed, parentOf: map[string]string{}, officesAt: map[string][]string{}}
	g.vocab = newVocabulary(c)
	for _, r := range c.regions {
		g.parentOf[r.ID] = r.ParentKey
		if r.Validity.To != nil {
			continue // historic keys get no new responsibilities
		}
		switch {
		case r.Level == catalog.LevelGemeinde:
			g.places = append(g.places, r)
		case r.Level == catalog.LevelKreis:
			g.kreise = append(g.kreise, r)
			if r.Type == "Kreisfreie Stadt" {
				g.places = append(g.places, r)
			}
		case r.Level == catalog.LevelLand:
			g.laender = append(g.laender, r)
		}
	}
	byKey := func(rs []*catalog.Region) { sort.Slice(rs, func(i, j int) bool { return rs[i].ID < rs[j].ID }) }
	byKey(g.places)
	byKey(g.kreise)
	byKey(g.laender)
	for _, o := range c.offices {
		g.officesAt[o.RegionKey] = append(g.officesAt[o.RegionKey], o.ID)
	}

	g.services = max(0, sc.Services-len(c.services))
	nOffices := max(0, sc.Offices-len(c.offices))
	budget := max(0, sc.Responsibilities-len(c.responsibilities))
	if g.services == 0 && (nOffices > 0 || budget > 0) {
		return nil, fmt.Errorf("scale %s: offices or responsibilities without synthetic services", sc.Name)
	}
	g.planOffices(nOffices)
	if err := g.planResponsibilities(budget); err != nil {
		return nil, err
	}
	return g, nil
}

// planOffices decides where the synthetic offices are: one administration
// for every state and district, then one for every municipality that has none (in a
// random order, as far as the count goes), then departments spread over
// districts and municipalities.
func (g *scaler) planOffices(n int) {
	r := g.rng(srcPlan, 0)
	add := func(reg *catalog.Region, kind string) {
		id := fmt.Sprintf("HE.OE.%010d", firstSynthetic+len(g.offices))
		g.offices = append(g.offices, synthOffice{id: id, ars: reg.ID, kind: kind, region: reg})
		g.officesAt[reg.ID] = append(g.officesAt[reg.ID], id)
	}
	for _, k := range append(append([]*catalog.Region{}, g.laender...), g.kreise...) {
		if len(g.offices) >= n {
			return
		}
		if len(g.officesAt[k.ID]) == 0 {
			add(k, "admin")
		}
	}
	perm := r.Perm(len(g.places))
	for _, i := range perm {
		if len(g.offices) >= n {
			return
		}
		if p := g.places[i]; len(g.officesAt[p.ID]) == 0 {
			add(p, "admin")
		}
	}
	for len(g.offices) < n {
		// A third of the departments belong to districts, the rest to
		// municipalities.
		if r.IntN(3) == 0 && len(g.kreise) > 0 {
			add(g.kreise[r.IntN(len(g.kreise))], "department")
		} else {
			add(g.places[r.IntN(len(g.places))], "department")
		}
	}
}

// planResponsibilities gives every synthetic service a tier and a number
// of responsibilities so that they add up to budget: half of them are
// municipal (a run of neighbouring municipalities), 30 % district, 10 %
// state and 10 % federal (one at the Bund, to an online service).
func (g *scaler) planResponsibilities(budget int) error {
	n := g.services
	g.levels = make([]tier, n)
	g.counts = make([]int, n)
	if n == 0 {
		return nil
	}
	g.online = (n + 9) / 10
	var municipal []int
	weights := make([]float64, n)
	rest := budget
	for i := 0; i < n; i++ {
		r := g.rng(srcPlan, i+1)
		switch d := i % 10; {
		case d < 5:
			g.levels[i] = tierMunicipal
			municipal = append(municipal, i)
			weights[i] = 0.25 + 1.5*r.Float64()
		case d < 8:
			g.levels[i] = tierDistrict
			g.counts[i] = 1 + r.IntN(len(g.kreise))
		case d < 9:
			g.levels[i] = tierState
			g.counts[i] = 1 + r.IntN(len(g.laender))
		default:
			g.levels[i] = tierFederal
			g.counts[i] = 1
		}
		rest -= g.counts[i]
	}
	if rest < len(municipal) {
		return fmt.Errorf("scale %s: %d responsibilities are too few for %d services", g.sc.Name, budget, n)
	}
	var sum float64
	for _, i := range municipal {
		sum += weights[i]
	}
	left := rest
	for _, i := range municipal {
		c := max(1, int(float64(rest)*weights[i]/sum))
		g.counts[i] = c
		left -= c
	}
	// Hand out what rounding left, one each, and check the runs fit.
	for k := 0; left != 0; k++ {
		i := municipal[k%len(municipal)]
		if left > 0 {
			g.counts[i]++
			left--
		} else if g.counts[i] > 1 {
			g.counts[i]--
			left++
		}
	}
	for _, i := range municipal {
		if g.counts[i] > len(g.places) {
			return fmt.Errorf("scale %s: %d responsibilities need more municipalities than there are", g.sc.Name, g.counts[i])
		}
	}
	g.respTotal = budget
	return nil
}

func (g *scaler) leika(i int) string { return fmt.Sprintf("%s%012d", synthLeikaPrefix, i+1) }

// stream writes the synthetic records kind by kind through w.
func (g *scaler) stream(w *batchWriter) error {
	if err := w.all(catalog.KindService, g.services, func(i int) catalog.Record { return g.service(i) }); err != nil {
		return err
	}
	if err := w.all(catalog.KindOffice, len(g.offices), func(i int) catalog.Record { return g.office(i) }); err != nil {
		return err
	}
	if err := w.all(catalog.KindOnlineService, g.online, func(i int) catalog.Record { return g.onlineService(i) }); err != nil {
		return err
	}
	w.begin(catalog.KindResponsibility, g.respTotal)
	n := 0
	for i := 0; i < g.services; i++ {
		err := g.responsibilities(i, func(r *catalog.Responsibility) error {
			r.ID = fmt.Sprintf("HE.ZS.%010d", firstSynthetic+n)
			n++
			return w.add(r)
		})
		if err != nil {
			return err
		}
	}
	return w.end()
}

// Actions of service names: the formal noun, the citizen's verb and the
// English phrase, as the demo catalogue words them.
var actions = []struct{ noun, verb, en string }{
	{"Erteilung", "beantragen", "application"},
	{"Anmeldung", "anmelden", "registration"},
	{"Abmeldung", "abmelden", "deregistration"},
	{"Verlängerung", "verlängern", "renewal"},
	{"Änderung", "ändern", "change"},
	{"Ausstellung", "ausstellen lassen", "issue"},
	{"Genehmigung", "genehmigen lassen", "permit"},
	{"Bescheinigung", "bescheinigen lassen", "certificate"},
	{"Ersatz", "ersetzen lassen", "replacement"},
	{"Auskunft", "Auskunft erhalten", "information"},
	{"Förderung", "Förderung beantragen", "funding"},
	{"Erstattung", "Erstattung beantragen", "refund"},
	{"Befreiung", "Befreiung beantragen", "exemption"},
	{"Anzeige", "anzeigen", "notification"},
	{"Zulassung", "zulassen", "approval"},
	{"Widerspruch", "Widerspruch einlegen", "objection"},
}

// Groups a service can be for, as the demo's texts name them.
var groups = []struct{ de, en string }{
	{"", ""}, {"", ""}, {"", ""},
	{"für Unternehmen", "for businesses"},
	{"für Vereine", "for associations"},
	{"für Studierende", "for students"},
	{"für Landwirte", "for farmers"},
	{"für Menschen mit Behinderung", "for people with disabilities"},
	{"für Familien", "for families"},
	{"für Ausländer", "for foreigners"},
}

func (g *scaler) service(i int) *catalog.Service {
	r := g.rng(srcService, i)
	v := g.vocab
	noun := v.nouns[r.IntN(len(v.nouns))]
	act := actions[r.IntN(len(actions))]
	grp := groups[r.IntN(len(groups))]
	name := strings.TrimSpace(noun + " " + act.noun + " " + grp.de)
	citizen := strings.TrimSpace(noun + " " + grp.de + " " + act.verb)
	short := fmt.Sprintf("Hier erfahren Sie, wie Sie die Leistung „%s“ erhalten. %s", citizen, v.sentence(r))
	full := "<p>" + v.sentence(r) + " " + v.sentence(r) + "</p><p>" + v.sentence(r) + "</p>"
	texts := map[catalog.Module]i18n.Text{
		catalog.ModuleName:        i18n.German(name),
		catalog.ModuleCitizenName: i18n.German(citizen),
		catalog.ModuleShortText:   i18n.German(short),
		catalog.ModuleFullText:    i18n.German(full),
	}
	if r.IntN(10) < 3 && len(v.english) > 0 {
		// Partly English, as the Bundesportal needs it: the name and the
		// summary of a related English-described service.
		base := v.english[r.IntN(len(v.english))]
		en := base + ": " + act.en
		if grp.en != "" {
			en += " " + grp.en
		}
		texts[catalog.ModuleName] = i18n.Bilingual(name, en)
		texts[catalog.ModuleShortText] = i18n.Bilingual(short, "How to get "+strings.ToLower(en[:1])+en[1:]+". "+v.englishSentence(r))
	}
	kw := []string{v.nouns[r.IntN(len(v.nouns))], v.nouns[r.IntN(len(v.nouns))], act.noun}
	s := &catalog.Service{
		Meta:       catalog.Meta{ID: fmt.Sprintf("HE.LB.%010d", firstSynthetic+i)},
		Status:     catalog.StatusPublished,
		RegionKey:  g.serviceRegion(i),
		LeikaKeys:  []string{g.leika(i)},
		Texts:      texts,
		Addressees: []catalog.Addressee{[]catalog.Addressee{catalog.AddresseeCitizen, catalog.AddresseeCitizen, catalog.AddresseeBusiness}[r.IntN(3)]},
		Categories: []string{v.categories[r.IntN(len(v.categories))]},
		Keywords:   map[string][]string{"de": kw},
	}
	switch r.IntN(4) {
	case 0:
		s.Fees = []catalog.Fee{{Kind: catalog.FeeFree}}
	case 1, 2:
		s.Fees = []catalog.Fee{{Kind: catalog.FeeFixed, Amount: catalog.Cents(500 * (1 + r.IntN(40)))}}
	default:
		lo := 500 * (1 + r.IntN(20))
		s.Fees = []catalog.Fee{{Kind: catalog.FeeRange, Min: catalog.Cents(lo), Max: catalog.Cents(lo * (2 + r.IntN(5)))}}
	}
	return s
}

// serviceRegion is where a service's description is maintained: the Bund
// for federal services, Hessen for the rest (the portal's own).
func (g *scaler) serviceRegion(i int) string {
	if g.levels[i] == tierFederal {
		return catalog.Bund
	}
	return "060000000000"
}

// Names of the departments of a municipality or district.
var departments = []string{"Bürgerbüro", "Standesamt", "Ordnungsamt", "Bauamt", "Sozialamt", "Steueramt",
	"Straßenverkehrsamt", "Gesundheitsamt", "Jugendamt", "Umweltamt", "Gewerbeamt", "Ausländerbehörde"}

var streets = []string{"Hauptstraße", "Rathausplatz", "Marktplatz", "Bahnhofstraße", "Schulstraße", "Kirchplatz",
	"Gartenstraße", "Lindenallee", "Am Rathaus", "Schlossplatz"}

func (g *scaler) office(i int) *catalog.Office {
	so := g.offices[i]
	r := g.rng(srcOffice, i)
	kind := catalog.OfficeMunicipality
	var name string
	switch {
	case so.region.Level == catalog.LevelLand:
		kind, name = catalog.OfficeState, "Landesverwaltungsamt "+so.region.Name
	case so.kind == "admin" && so.region.Level == catalog.LevelKreis && so.region.Type != "Kreisfreie Stadt":
		kind, name = catalog.OfficeDistrict, "Kreisverwaltung "+so.region.Name
	case so.kind == "admin":
		name = "Gemeindeverwaltung " + so.region.Name
	case so.region.Level == catalog.LevelKreis && so.region.Type != "Kreisfreie Stadt":
		kind, name = catalog.OfficeDistrict, departments[r.IntN(len(departments))]+" "+so.region.Name
	default:
		name = departments[r.IntN(len(departments))] + " " + so.region.Name
	}
	postcode := fmt.Sprintf("%05d", 1000+int(g.seed%1000)+r.IntN(98000))
	if len(so.region.PostalCodes) > 0 {
		postcode = so.region.PostalCodes[0]
	}
	city := so.region.Name
	if i := strings.IndexByte(city, ','); i > 0 {
		city = city[:i]
	}
	o := &catalog.Office{
		Meta:      catalog.Meta{ID: so.id},
		Name:      i18n.German(name),
		Kind:      kind,
		RegionKey: so.ars,
		Addresses: []catalog.Address{{Kind: catalog.AddressVisitor, Street: fmt.Sprintf("%s %d", streets[r.IntN(len(streets))], 1+r.IntN(60)),
			PostalCode: postcode, City: city, RegionKey: so.ars}},
	}
	days := catalog.Weekdays[:5]
	for _, d := range days {
		o.OpeningHours.Slots = append(o.OpeningHours.Slots, catalog.Slot{Day: d, Open: fmt.Sprintf("%02d:00", 7+r.IntN(3)), Close: "12:00"})
	}
	o.Channels = []catalog.Channel{{Kind: catalog.ChannelPhone, Value: fmt.Sprintf("+49 %d %d", 1000+r.IntN(9000), 10000+r.IntN(90000))}}
	return o
}

func (g *scaler) onlineService(i int) *catalog.OnlineService {
	svc := i*10 + 9 // the federal services, one each
	r := g.rng(srcOnline, i)
	name := g.vocab.nouns[r.IntN(len(g.vocab.nouns))] + " online"
	return &catalog.OnlineService{
		Meta:      catalog.Meta{ID: fmt.Sprintf("HE.OD.%010d", firstSynthetic+i)},
		Title:     i18n.German(name),
		Links:     []catalog.Link{{URL: fmt.Sprintf("https://online.example.org/leistung/%s", g.leika(svc))}},
		RegionKey: catalog.Bund,
	}
}

// responsibilities calls fn for each responsibility of synthetic service
// i, in region key order.
func (g *scaler) responsibilities(i int, fn func(*catalog.Responsibility) error) error {
	r := g.rng(srcResp, i)
	leika := g.leika(i)
	emit := func(ars, office, online string) error {
		return fn(&catalog.Responsibility{LeikaKey: leika, RegionKey: ars, OfficeID: office, OnlineServiceID: online, Role: catalog.RoleResponsible})
	}
	pick := func(ars string) string {
		for k := ars; k != ""; k = g.parentOf[k] {
			if ids := g.officesAt[k]; len(ids) > 0 {
				return ids[(i+r.IntN(2))%len(ids)]
			}
		}
		return ""
	}
	var at []*catalog.Region
	switch g.levels[i] {
	case tierFederal:
		return emit(catalog.Bund, "", fmt.Sprintf("HE.OD.%010d", firstSynthetic+i/10))
	case tierState:
		at = window(g.laender, r.IntN(len(g.laender)), g.counts[i])
	case tierDistrict:
		at = window(g.kreise, r.IntN(len(g.kreise)), g.counts[i])
	default:
		at = window(g.places, r.IntN(len(g.places)), g.counts[i])
	}
	for _, reg := range at {
		office := pick(reg.ID)
		if office == "" {
			// No office at the place or above it (a state without any):
			// the demo's federal online services take it.
			continue
		}
		if err := emit(reg.ID, office, ""); err != nil {
			return err
		}
	}
	return nil
}

// window returns n regions from start on, wrapping around, in key order.
func window(rs []*catalog.Region, start, n int) []*catalog.Region {
	out := make([]*catalog.Region, 0, n)
	for k := 0; k < n; k++ {
		out = append(out, rs[(start+k)%len(rs)])
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// vocabulary is the demo catalogue's words the synthetic texts are made of.
type vocabulary struct {
	nouns      []string // capitalised words of service names
	sentences  []string // German sentences of the hand-written texts
	english    []string // English service names
	enSentence []string
	categories []string
}

var tagRE = regexp.MustCompile(`<[^>]*>`)

func newVocabulary(c *catalogue) *vocabulary {
	v := &vocabulary{}
	nouns, cats := map[string]bool{}, map[string]bool{}
	sentences := func(s string) []string {
		s = tagRE.ReplaceAllString(s, " ")
		var out []string
		for _, p := range strings.SplitAfter(s, ". ") {
			p = strings.Join(strings.Fields(p), " ")
			if utf8.RuneCountInString(p) >= 30 && strings.HasSuffix(p, ".") {
				out = append(out, p)
			}
		}
		return out
	}
	for _, s := range c.services {
		for _, w := range strings.Fields(s.Texts[catalog.ModuleName].String()) {
			w = strings.Trim(w, "()„“,.:;-–")
			if r, _ := utf8.DecodeRuneInString(w); unicode.IsUpper(r) && utf8.RuneCountInString(w) >= 6 && !strings.ContainsAny(w, "0123456789/") {
				nouns[w] = true
			}
		}
		for _, m := range []catalog.Module{catalog.ModuleShortText, catalog.ModuleFullText, catalog.ModulePrerequisites, catalog.ModuleProcedure} {
			t := s.Texts[m]
			v.sentences = append(v.sentences, sentences(t.String())...)
			if en, ok := t[i18n.EN]; ok {
				v.enSentence = append(v.enSentence, sentences(en.Value)...)
			}
		}
		if en, ok := s.Name()[i18n.EN]; ok {
			v.english = append(v.english, en.Value)
		}
		for _, cat := range s.Categories {
			cats[cat] = true
		}
	}
	for n := range nouns {
		v.nouns = append(v.nouns, n)
	}
	for cat := range cats {
		v.categories = append(v.categories, cat)
	}
	sort.Strings(v.nouns)
	sort.Strings(v.categories)
	sort.Strings(v.english)
	if len(v.categories) == 0 {
		v.categories = []string{"Allgemein"}
	}
	return v
}

func (v *vocabulary) sentence(r *rand.Rand) string { return v.sentences[r.IntN(len(v.sentences))] }

func (v *vocabulary) englishSentence(r *rand.Rand) string {
	if len(v.enSentence) == 0 {
		return ""
	}
	return v.enSentence[r.IntN(len(v.enSentence))]
}
