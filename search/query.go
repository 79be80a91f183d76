package search

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
	"golang.org/x/text/unicode/norm"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/i18n"
)

// Limits that keep every query cheap, whatever it contains.
const (
	MaxQueryLen    = 500 // characters; longer queries are INVALID
	DefaultFirst   = 10
	MaxFirst       = 100
	maxOffset      = 10000 // deepest page start
	maxWords       = 24    // words of a query that are searched
	maxTypoWords   = 4     // unknown words that get typo candidates
	maxFilterTerms = 50
	searchTimeout  = 3 * time.Second
)

// Request is a portal search.
type Request struct {
	Query string
	// ARS restricts the hits to services with a responsibility at that place
	// or above it. Empty: a place named in the query is used, else none.
	ARS string
	// Lang is "de", "en" or "" (detected from the query).
	Lang   string
	Filter Filter
	// First is the page size (default 10, at most 100); After the
	// EndCursor of the previous page.
	First int
	After string
	// SkipHighlights, SkipFacets and SkipStoredFields leave out what the
	// caller will not show or reads from the store anyway: marking the
	// matches in each hit's fields, counting the facets over all hits and
	// loading each hit's stored fields (Hit.LeikaKeys and Hit.Fallback stay
	// empty) are a good part of a query's cost.
	SkipHighlights, SkipFacets, SkipStoredFields bool
}

// Filter restricts the hits; values within a list are alternatives, the
// lists are combined.
type Filter struct {
	Addressees []string // CITIZEN, BUSINESS, ADMINISTRATION
	Categories []string
	BundleIDs  []string
	HasOnline  *bool
	// LifeSituationIDs keeps the services assigned to one of the life
	// situations.
	LifeSituationIDs []string
}

// Result is a page of hits with the facets of all hits.
type Result struct {
	Total int
	// Lang is the language the query was read in.
	Lang string
	// ARS is the region the hits are filtered by: the request's, or the
	// place recognised in the query ("ummelden kassel"); empty for none.
	ARS    string
	Hits   []Hit
	Facets map[string][]FacetValue
	// DidYouMean is a corrected query when the query had no hits or words
	// that are not in the catalogue (and whose corrections were searched).
	DidYouMean  string
	EndCursor   string
	HasNextPage bool
	// Notice says why nothing was searched: NoticeOnlyStopWords or
	// NoticeNoWords; "" when the query was searched.
	Notice string
}

// Notices of a Result.
const (
	NoticeOnlyStopWords = "ONLY_STOP_WORDS" // der, und, the ...
	NoticeNoWords       = "NO_WORDS"        // only emoji, symbols or punctuation
)

// Hit is one service found. Texts are not included: read them from the
// store, so that they are always current.
type Hit struct {
	ServiceID string
	LeikaKeys []string
	Score     float64
	// Fallback is set when the service has no name in the language the
	// query was read in: an English query found a German-only service
	// (read from the stored fields, so never set with SkipStoredFields).
	Fallback bool
	// Highlights are HTML fragments with <mark> around the matches, by
	// field: "name", "keywords", "shortText".
	Highlights map[string][]string
}

// FacetValue is one value of a facet with the number of hits that have it.
type FacetValue struct {
	Value string
	Count int
}

// Facet names in Result.Facets.
const (
	FacetAddressee = "addressee"
	FacetCategory  = "category"
	FacetBundle    = "bundle"
	FacetHasOnline = "hasOnline"
	// FacetLifeSituation counts the hits by life situation ID.
	FacetLifeSituation = "lifeSituation"
)

// Field weights: a word in the name says more than one in the full text.
var fieldWeights = []struct {
	prefix string
	weight float64
}{{"name_", 3.0}, {"kw_", 2.0}, {"short_", 1.2}, {"full_", 0.5}, {"terms_", 1.8}}

// Weights of the alternatives of a concept, relative to the words as typed
// in the query's language (1.0). Typo corrections rank below exact matches.
const (
	weightOtherLang    = 0.35 // the words as typed, in the other language's fields
	weightSynonym      = 0.9
	weightSynonymOther = 0.7 // factor for an expansion in the other language
	weightParts        = 0.6 // the parts of a compound typed in the query, all required
	weightHead         = 0.3 // the last part of a compound the catalogue lacks
	weightPhrase       = 1.0 // the words of a phrase side by side in a name or keyword
	weightParticle     = 0.9 // "melde ... an" read as "anmelde"
	weightTypo1        = 0.6 // correction at edit distance 1
	weightTypo2        = 0.4 // at distance 2
	weightLeika        = 20  // a 14-digit LeiKa key typed as the query
	// weightSituation: a service assigned to a life situation that a
	// dictionary entry of the query stands for.
	weightSituation = 0.5
	// weightGeneric scales a generic concept ("beantragen", "verloren")
	// when the query has a more specific one.
	weightGeneric = 0.25
)

// Tie-breakers of the max queries (see maxQuery): how much the other
// matches add to the best one.
const (
	tieFields       = 0.2 // a word in several fields of a service
	tieAlternatives = 0.2 // several alternatives of a concept
	tieParts        = 0.3 // a compound matched whole and by its parts
)

// Search runs a portal search. Bad input never reaches Bleve's query
// syntax: queries are built from analysed words only.
//
// Errors: INVALID (empty or too long query, malformed region key, language,
// filter or cursor), NOT_FOUND (unknown region key), INTERNAL.
func (ix *Index) Search(ctx context.Context, req Request) (*Result, error) {
	q, err := cleanQuery(req.Query)
	if err != nil {
		return nil, err
	}
	lang, err := parseLang(req.Lang)
	if err != nil {
		return nil, err
	}
	if err := validateFilter(req.Filter); err != nil {
		return nil, err
	}
	first := req.First
	switch {
	case first < 0:
		return nil, catalog.Invalid("first", "range", "must not be negative")
	case first == 0:
		first = DefaultFirst
	case first > MaxFirst:
		first = MaxFirst
	}
	fp := fingerprint(q, req.ARS, lang, req.Filter)
	offset, err := decodeCursor(req.After, fp)
	if err != nil {
		return nil, err
	}
	p, release, err := ix.acquire()
	if err != nil {
		return nil, err
	}
	defer release()
	if err := checkARS(p, req.ARS); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, searchTimeout)
	defer cancel()
	pl, err := ix.newPlan(ctx, p, q, lang, req.ARS)
	if err != nil {
		return nil, err
	}
	defer pl.close()
	res := &Result{Lang: pl.lang, ARS: pl.ars, Facets: map[string][]FacetValue{}}
	br, err := pl.search(ctx, req.Filter, first, offset, func(sr *bleve.SearchRequest) {
		if !req.SkipStoredFields {
			sr.Fields = []string{fieldLeika, fieldNameLang}
		}
		if !req.SkipHighlights {
			sr.Highlight = bleve.NewHighlightWithStyle(highlighterMark)
			for _, f := range []string{"name_", "kw_", "short_"} {
				sr.Highlight.AddField(f + i18n.DE)
				sr.Highlight.AddField(f + i18n.EN)
			}
		}
		if req.SkipFacets {
			return
		}
		sr.AddFacet(FacetAddressee, bleve.NewFacetRequest(fieldAddressee, 5))
		sr.AddFacet(FacetCategory, bleve.NewFacetRequest(fieldCategory, 50))
		sr.AddFacet(FacetBundle, bleve.NewFacetRequest(fieldBundle, 50))
		sr.AddFacet(FacetHasOnline, bleve.NewFacetRequest(fieldOnline, 2))
		sr.AddFacet(FacetLifeSituation, bleve.NewFacetRequest(fieldSituation, 50))
	})
	if err != nil {
		return nil, err
	}
	if br == nil {
		res.Notice = NoticeOnlyStopWords
		if len(queryWords(q)) == 0 {
			res.Notice = NoticeNoWords
		}
		return res, nil
	}
	res.Total = int(br.Total)
	for _, h := range br.Hits {
		res.Hits = append(res.Hits, Hit{ServiceID: h.ID, LeikaKeys: storedStrings(h.Fields[fieldLeika]),
			Score: h.Score, Highlights: highlights(h.Fragments, pl.lang),
			Fallback: !req.SkipStoredFields && !slices.Contains(storedStrings(h.Fields[fieldNameLang]), pl.lang)})
	}
	for name, f := range br.Facets {
		if f.Terms == nil {
			continue
		}
		var vals []FacetValue
		for _, t := range f.Terms.Terms() {
			vals = append(vals, FacetValue{Value: t.Term, Count: t.Count})
		}
		sort.SliceStable(vals, func(i, j int) bool {
			if vals[i].Count != vals[j].Count {
				return vals[i].Count > vals[j].Count
			}
			return vals[i].Value < vals[j].Value
		})
		res.Facets[name] = vals
	}
	if end := offset + len(res.Hits); len(res.Hits) > 0 {
		res.EndCursor = encodeCursor(end, fp)
		res.HasNextPage = end < res.Total && end < maxOffset
	}
	if res.Total == 0 || pl.corrected {
		res.DidYouMean = pl.didYouMean(ctx)
	}
	return res, nil
}

// searchError classifies a failed Bleve search: TIMEOUT when the deadline
// (the caller's or searchTimeout) passed, the cancellation when the caller
// went away, INTERNAL otherwise.
func searchError(ctx context.Context, err error) error {
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return catalog.Timeout(fmt.Errorf("search: %w", ctx.Err()))
	case ctx.Err() != nil:
		return ctx.Err()
	}
	return catalog.Internal(err)
}

// cleanQuery makes any input safe to analyse: invalid UTF-8 and control
// characters become spaces, the text is NFC-normalised (a decomposed "ü"
// from a Mac keyboard is the same as a composed one) and trimmed.
func cleanQuery(s string) (string, error) {
	if utf8.RuneCountInString(s) > MaxQueryLen {
		return "", catalog.Invalid("query", "length", "at most %d characters", MaxQueryLen)
	}
	s = strings.ToValidUTF8(s, " ")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) && r != '\u200d' {
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(norm.NFC.String(s)), " ")
	if s == "" {
		return "", catalog.Invalid("query", "required", "the query is empty")
	}
	return s, nil
}

func parseLang(s string) (string, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "":
		return "", nil
	case i18n.DE:
		return i18n.DE, nil
	case i18n.EN:
		return i18n.EN, nil
	}
	return "", catalog.Invalid("lang", "enum", "%q is not one of de, en", s)
}

func validateFilter(f Filter) error {
	for _, l := range []struct {
		name string
		vals []string
	}{{"filter.addressees", f.Addressees}, {"filter.categories", f.Categories}, {"filter.bundleIds", f.BundleIDs},
		{"filter.lifeSituationIds", f.LifeSituationIDs}} {
		if len(l.vals) > maxFilterTerms {
			return catalog.Invalid(l.name, "length", "at most %d values", maxFilterTerms)
		}
		for i, v := range l.vals {
			if v == "" || len(v) > 200 || !utf8.ValidString(v) {
				return catalog.Invalid(fmt.Sprintf("%s[%d]", l.name, i), "format", "not a valid value")
			}
		}
	}
	for i, a := range f.Addressees {
		switch catalog.Addressee(a) {
		case catalog.AddresseeCitizen, catalog.AddresseeBusiness, catalog.AddresseeAdministration:
		default:
			return catalog.Invalid(fmt.Sprintf("filter.addressees[%d]", i), "enum", "%q is not one of CITIZEN, BUSINESS, ADMINISTRATION", a)
		}
	}
	return nil
}

// checkARS validates a region key against the format and the regions known.
func checkARS(p *projection, ars string) error {
	if ars == "" {
		return nil
	}
	if !catalog.ValidARS(ars) {
		return catalog.Invalid("ars", "format", "%q is not a 12-digit region key (ARS)", ars)
	}
	if pt := p.places.Load(); pt != nil && !pt.known[ars] {
		return catalog.Errorf(catalog.ENOTFOUND, "no region with key %s", ars)
	}
	return nil
}

// Cursors are opaque to clients: the offset of the next hit and a
// fingerprint of the request, so that a cursor of another search is
// refused instead of paging through the wrong results.
func fingerprint(q, ars, lang string, f Filter) uint32 {
	h := fnv.New32a()
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00%v\x00%v\x00%v\x00%v\x00", strings.ToLower(q), ars, lang, f.Addressees, f.Categories, f.BundleIDs, f.LifeSituationIDs)
	if f.HasOnline != nil {
		fmt.Fprint(h, *f.HasOnline)
	}
	return h.Sum32()
}

func encodeCursor(offset int, fp uint32) string {
	return base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, "s1:%d:%08x", offset, fp))
}

func decodeCursor(c string, fp uint32) (int, error) {
	if c == "" {
		return 0, nil
	}
	bad := catalog.Invalid("after", "cursor", "not a cursor of this search")
	if len(c) > 64 {
		return 0, bad
	}
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return 0, bad
	}
	parts := strings.Split(string(b), ":")
	if len(parts) != 3 || parts[0] != "s1" || parts[2] != fmt.Sprintf("%08x", fp) {
		return 0, bad
	}
	n, err := strconv.Atoi(parts[1])
	if err != nil || n < 0 || n > maxOffset {
		return 0, bad
	}
	return n, nil
}

// withFilters restricts q to the services valid on now's day (when the
// index has any service with a bounded validity), the region and the facet
// filters. Filter clauses have boost 0: they decide what matches, not how
// it ranks.
func withFilters(q query.Query, ars string, f Filter, now time.Time, bounded bool) query.Query {
	conj := []query.Query{q}
	anyOf := func(field string, vals []string) {
		if len(vals) == 0 {
			return
		}
		var ds []query.Query
		for _, v := range vals {
			ds = append(ds, filterTerm(field, v))
		}
		conj = append(conj, newFilterQuery(bleve.NewDisjunctionQuery(ds...)))
	}
	if ars != "" {
		anyOf(fieldARS, catalog.Ancestors(ars))
	}
	anyOf(fieldAddressee, f.Addressees)
	anyOf(fieldCategory, f.Categories)
	anyOf(fieldBundle, f.BundleIDs)
	anyOf(fieldSituation, f.LifeSituationIDs)
	if f.HasOnline != nil {
		conj = append(conj, newFilterQuery(filterTerm(fieldOnline, strconv.FormatBool(*f.HasOnline))))
	}
	if !bounded {
		if len(conj) == 1 {
			return q
		}
		return bleve.NewConjunctionQuery(conj...)
	}
	// Not valid today: from > today or to < today. Nearly every service
	// has an open validity, so excluding the few that are not valid is
	// much cheaper than requiring two ranges that match all the others.
	today := day(now)
	ahead, over := today+1, today-1
	future := bleve.NewNumericRangeInclusiveQuery(&ahead, nil, &inclusive, nil)
	future.SetField(fieldValidFrom)
	past := bleve.NewNumericRangeInclusiveQuery(nil, &over, nil, &inclusive)
	past.SetField(fieldValidTo)
	b := bleve.NewBooleanQuery()
	if len(conj) == 1 {
		b.AddMust(q)
	} else {
		b.AddMust(bleve.NewConjunctionQuery(conj...))
	}
	b.AddMustNot(future, past)
	return b
}

var inclusive = true

func filterTerm(field, v string) query.Query {
	t := bleve.NewTermQuery(v)
	t.SetField(field)
	t.SetBoost(0)
	return t
}

func storedStrings(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		out := make([]string, 0, len(v))
		for _, e := range v {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// highlights maps Bleve's fragments by index field to the public field
// names, preferring the result language.
func highlights(frags map[string][]string, lang string) map[string][]string {
	if len(frags) == 0 {
		return nil
	}
	other := i18n.DE
	if lang == i18n.DE {
		other = i18n.EN
	}
	out := map[string][]string{}
	for _, f := range []struct{ index, public string }{{"name_", "name"}, {"kw_", "keywords"}, {"short_", "shortText"}} {
		if v := frags[f.index+lang]; len(v) > 0 {
			out[f.public] = v
		} else if v := frags[f.index+other]; len(v) > 0 {
			out[f.public] = v
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// plan is a query read and rewritten: its language, its place, and its
// concepts, each with the alternatives that satisfy it.
type plan struct {
	q        string // the cleaned query; words have offsets into it
	filter   bool   // while set, query builds the filter of search (see titleFilter)
	narrowed bool   // the filter left out a common word's full texts (see titleFilter)
	// keepAbsent builds searchers for terms the index lacks too (tests
	// compare the scores with and without them; see prune.go).
	keepAbsent bool
	docs       uint64 // services in the index, read when needed
	ctx        context.Context
	p          *projection
	freqs      *termFreqs // the projection's, taken before r was opened
	dict       *synonymIndex
	r          index.IndexReader
	lang       string
	ars        string
	now        time.Time // the store's time the search is for
	words      []word
	concepts   []*concept
	corrected  bool
	// specific is set when a concept of the query is not generic: the
	// generic ones then count less (see scale).
	specific bool
	local    []string // see localPlaces
}

// concept is a part of the query that a hit should satisfy: one word, or a
// phrase a synonym rule recognised.
type concept struct {
	words []word
	alts  []alt
	// typos are the corrections of a single unknown word, best first.
	typos []candidate
	// generic is set for a phrase the dictionary calls generic: it counts
	// less when the query has a specific concept too.
	generic bool
}

type altKind int

const (
	altTyped altKind = iota
	altSynonym
	altParticle
	altTypo
	altLeika
	altSituation // text is a life situation ID
)

// alt is one way to satisfy a concept: a text analysed for a language
// ("" = as typed: in both), with a weight.
type alt struct {
	kind   altKind
	lang   string
	text   string
	weight float64
}

// candidate is a correction of an unknown word from the index vocabulary.
type candidate struct {
	term     string // folded, as in the vocabulary field
	lang     string
	distance int
	count    uint64
}

// newPlan reads the query for a search at the store's time (Store.Now):
// which places it names and which services are valid depend on the date.
func (ix *Index) newPlan(ctx context.Context, p *projection, q, lang, ars string) (*plan, error) {
	now := ix.st.Now()
	places, err := ix.placesAt(ctx, p, now)
	if err != nil {
		return nil, err
	}
	freqs := p.termFreqs() // before the reader: see termFreqs
	adv, err := p.bi.Advanced()
	if err != nil {
		return nil, catalog.Internal(err)
	}
	r, err := adv.Reader()
	if err != nil {
		return nil, catalog.Internal(err)
	}
	pl := &plan{q: q, ctx: ctx, p: p, freqs: freqs, r: r, ars: ars, now: now, dict: p.dict.Load()}
	words := queryWords(q)
	if len(words) > maxWords {
		words = words[:maxWords]
	}
	pl.words = words
	// A place in the query ("ummelden kassel", "hundesteuer 37269")
	// becomes the region filter when the request has none; its words are
	// not searched either way.
	served := p.served(ctx)
	var rest []word
	for i := 0; i < len(words); {
		if id, n := places.match(words, i, served); n > 0 && len(words) > n && !pl.isVocabulary(words[i:i+n]) {
			if pl.ars == "" {
				pl.ars = id
			}
			i += n
			continue
		}
		rest = append(rest, words[i])
		i++
	}
	pl.words = rest
	pl.lang = lang
	if pl.lang == "" {
		pl.lang = pl.detectLanguage()
	}
	pl.buildConcepts()
	return pl, nil
}

func (pl *plan) close() { pl.r.Close() }

// isVocabulary reports whether a phrase that names a place is also a word
// of several service names or keywords ("Linden", "Brechen"): then it is
// searched, not taken as the place.
func (pl *plan) isVocabulary(ws []word) bool {
	if len(ws) != 1 {
		return false
	}
	return pl.docFreq("vocab_de", ws[0].folded) > 0 || pl.docFreq("vocab_en", foldString(ws[0].surface, false)) > 0
}

func (pl *plan) docFreq(field, term string) uint64 {
	if term == "" {
		return 0
	}
	k := fieldTerm{field, term}
	if n, ok := pl.freqs.get(k); ok {
		return n
	}
	tfr, err := pl.r.TermFieldReader(pl.ctx, []byte(term), field, false, false, false)
	if err != nil {
		return 0
	}
	n := tfr.Count()
	tfr.Close()
	pl.freqs.put(k, n)
	return n
}

// analyze runs an analyser of the index on text.
func (pl *plan) analyze(analyzer, text string) analysis.TokenStream {
	a := pl.p.bi.Mapping().AnalyzerNamed(analyzer)
	if a == nil {
		return nil
	}
	return a.Analyze([]byte(text))
}

// known reports whether a word occurs in any text field of lang.
func (pl *plan) known(lang, surface string) bool {
	an := analyzerDE
	if lang == i18n.EN {
		an = analyzerEN
	}
	for _, pos := range pl.positions(an, surface) {
		found := false
		for _, fw := range fieldWeights {
			if pl.docFreq(fw.prefix+lang, pos.whole) > 0 {
				found = true
				break
			}
		}
		if !found && !pl.partsKnown(lang, pos) && !pl.localKnown(lang, pos.whole) {
			return false
		}
	}
	return true
}

// termKnown reports whether an analysed term occurs in a text field of lang.
func (pl *plan) termKnown(lang, term string) bool {
	for _, fw := range fieldWeights {
		if pl.docFreq(fw.prefix+lang, term) > 0 {
			return true
		}
	}
	return false
}

func (pl *plan) partsKnown(lang string, pos position) bool {
	if len(pos.parts) == 0 {
		return false
	}
	for _, part := range pos.parts {
		found := false
		for _, fw := range fieldWeights {
			if pl.docFreq(fw.prefix+lang, part) > 0 {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// detectLanguage reads the query as English when it has more English than
// German evidence: stop words of one language only, umlauts, synonym
// triggers, and words that the index knows in one language only.
func (pl *plan) detectLanguage() string {
	scoreDE, scoreEN := 0, 0
	for _, w := range pl.words {
		if strings.ContainsAny(strings.ToLower(w.surface), "äöüß") {
			scoreDE += 2
			continue
		}
		fe := foldString(w.surface, false)
		isStopDE, isStopEN := stopDE[w.folded], stopEN[fe]
		switch {
		case isStopEN && !isStopDE:
			scoreEN++
			continue
		case isStopDE && !isStopEN:
			scoreDE++
			continue
		case isStopDE && isStopEN:
			continue
		}
		if w.numeric {
			continue
		}
		inDE, inEN := pl.known(i18n.DE, w.surface), pl.known(i18n.EN, w.surface)
		switch {
		case inEN && !inDE:
			scoreEN++
		case inDE && !inEN:
			scoreDE++
		}
	}
	// A synonym trigger of one language is evidence for it.
	for _, lang := range []string{i18n.DE, i18n.EN} {
		for i := 0; i < len(pl.words); {
			_, n := pl.dict.match(pl.words, i, lang)
			if n == 0 {
				i++
				continue
			}
			if lang == i18n.EN {
				scoreEN += 2
			} else {
				scoreDE += 2
			}
			i += n
		}
	}
	if scoreEN > scoreDE {
		return i18n.EN
	}
	return i18n.DE
}

// separable verb particles: "melde den Hund an" is "anmelden".
var particles = map[string]bool{"an": true, "ab": true, "um": true, "aus": true, "ein": true, "zu": true, "zuruck": true}

// buildConcepts turns the words into concepts: synonym phrases first, then
// single words; stop words only count inside a phrase. Words unknown to the
// index get typo candidates.
func (pl *plan) buildConcepts() {
	ws := pl.words
	var typedParticles []string
	for _, w := range ws {
		if pl.lang == i18n.DE && particles[w.folded] {
			typedParticles = append(typedParticles, w.folded)
		}
	}
	for i := 0; i < len(ws); {
		if rules, n := pl.dict.match(ws, i, pl.lang); n > 0 {
			c := &concept{words: ws[i : i+n]}
			c.alts = append(c.alts, alt{kind: altTyped, text: joinSurface(c.words), weight: 1})
			// An expansion spelled like the typed words adds nothing.
			seen := map[string]bool{pl.lang + strings.ToLower(c.alts[0].text): true}
			for _, r := range rules {
				c.generic = c.generic || r.generic
				for _, id := range r.situations {
					if k := "situation\x00" + id; !seen[k] {
						seen[k] = true
						c.alts = append(c.alts, alt{kind: altSituation, text: id, weight: weightSituation})
					}
				}
				for _, e := range []struct {
					lang string
					alts []string
				}{{i18n.DE, r.de}, {i18n.EN, r.en}} {
					// An expansion in the other language serves the
					// services described only in it; it ranks below one in
					// the query's language.
					w := weightSynonym
					if e.lang != pl.lang {
						w *= weightSynonymOther
					}
					for _, text := range e.alts {
						if k := e.lang + strings.ToLower(text); !seen[k] {
							seen[k] = true
							c.alts = append(c.alts, alt{kind: altSynonym, lang: e.lang, text: text, weight: w})
						}
					}
				}
			}
			pl.concepts = append(pl.concepts, c)
			i += n
			continue
		}
		w := ws[i]
		i++
		if w.key(pl.lang) == "" || pl.lang == i18n.DE && particles[w.folded] {
			continue // a stop word of the query's language, or a particle
		}
		c := &concept{words: []word{w}}
		c.alts = append(c.alts, alt{kind: altTyped, text: w.surface, weight: 1})
		if w.numeric && len(w.folded) == 14 && catalog.ValidLeika(w.folded) {
			c.alts = append(c.alts, alt{kind: altLeika, text: w.folded, weight: weightLeika})
		}
		for _, pt := range typedParticles {
			verb := pt + w.folded
			if pl.docFreq("vocab_de", verb) > 0 || pl.known(i18n.DE, verb) {
				c.alts = append(c.alts, alt{kind: altParticle, lang: i18n.DE, text: verb, weight: weightParticle})
			}
		}
		pl.concepts = append(pl.concepts, c)
	}
	for _, c := range pl.concepts {
		pl.specific = pl.specific || !c.generic
	}
	// Typo candidates for words the index does not know in either language.
	budget := maxTypoWords
	for _, c := range pl.concepts {
		if budget == 0 {
			break
		}
		if len(c.alts) > 1 || len(c.words) != 1 || c.words[0].numeric {
			continue
		}
		w := c.words[0]
		if pl.known(i18n.DE, w.surface) || pl.known(i18n.EN, w.surface) {
			continue
		}
		budget--
		cands := pl.candidates(w)
		if len(cands) == 0 {
			continue
		}
		c.typos = cands
		for _, cd := range cands {
			wt := weightTypo1
			if cd.distance > 1 {
				wt = weightTypo2
			}
			c.alts = append(c.alts, alt{kind: altTypo, lang: cd.lang, text: cd.term, weight: wt})
		}
		pl.corrected = true
	}
}

// scale is the weight factor of a concept: generic words ("beantragen",
// "verloren") count less beside a specific one, so that "gesundheitskarte
// verloren" ranks the health card above lost property.
func (pl *plan) scale(c *concept) float64 {
	if c.generic && pl.specific {
		return weightGeneric
	}
	return 1
}

func otherLang(l string) string {
	if l == i18n.EN {
		return i18n.DE
	}
	return i18n.EN
}

func joinSurface(ws []word) string {
	s := make([]string, len(ws))
	for i, w := range ws {
		s[i] = w.surface
	}
	return strings.Join(s, " ")
}

// maxDistance is the edit distance allowed for a correction (Damerau:
// swapped neighbours count one): none for short words, where nearly
// everything is one edit away, 1 up to nine letters, 2 beyond. Real words
// the catalogue lacks ("Schulden") must not turn into others ("Schäden").
func maxDistance(n int) int {
	switch {
	case n < 4:
		return 0
	case n <= 9:
		return 1
	}
	return 2
}

// candidates returns the best corrections of w from the vocabulary of
// service names and keywords (German first, then English): the closest by
// Damerau-Levenshtein distance (a swap of two letters is one edit), then
// the most frequent, at most two.
func (pl *plan) candidates(w word) []candidate {
	fr, ok := pl.r.(index.IndexReaderFuzzy)
	if !ok {
		return nil
	}
	var all []candidate
	for _, lang := range []string{pl.lang, otherLang(pl.lang)} {
		term := w.folded
		if lang == i18n.EN {
			term = foldString(w.surface, false)
		}
		n := utf8.RuneCountInString(term)
		d := maxDistance(n)
		if d == 0 {
			continue
		}
		// Levenshtein distance 2 covers a swap, which Damerau counts as
		// one; the first letter must match: people rarely mistype it, and
		// it keeps "Katze" from becoming "Sätze".
		first, _ := utf8.DecodeRuneInString(term)
		fd, err := fr.FieldDictFuzzy("vocab_"+lang, term, min(d+1, 2), string(first))
		if err != nil {
			continue
		}
		for {
			e, err := fd.Next()
			if err != nil || e == nil {
				break
			}
			dist := damerau(term, e.Term)
			if dist == 0 || dist > d {
				continue
			}
			all = append(all, candidate{term: e.Term, lang: lang, distance: dist, count: e.Count})
		}
		fd.Close()
	}
	sort.SliceStable(all, func(i, j int) bool {
		a, b := all[i], all[j]
		if a.distance != b.distance {
			return a.distance < b.distance
		}
		if (a.lang == pl.lang) != (b.lang == pl.lang) {
			return a.lang == pl.lang
		}
		if a.count != b.count {
			return a.count > b.count
		}
		return a.term < b.term
	})
	var out []candidate
	for _, c := range all {
		if len(out) == 2 || len(out) > 0 && c.distance > out[0].distance {
			break
		}
		out = append(out, c)
	}
	return out
}

// damerau is the optimal string alignment distance between a and b.
func damerau(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	n, m := len(ra), len(rb)
	d := make([][]int, n+1)
	for i := range d {
		d[i] = make([]int, m+1)
		d[i][0] = i
	}
	for j := 0; j <= m; j++ {
		d[0][j] = j
	}
	for i := 1; i <= n; i++ {
		for j := 1; j <= m; j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[n][m]
}

// position is the analysis of one word: its term and its compound parts
// (top level only: the parts that cover the word side by side).
type position struct {
	whole string
	parts []string
}

// groupPositions groups an analysed token stream by position. The fold
// filter emits a word first and its parts after it at the same position.
func groupPositions(ts analysis.TokenStream) []position {
	var out []position
	lastPos, end := -1, 0
	for _, t := range ts {
		if t.Position != lastPos {
			out = append(out, position{whole: string(t.Term)})
			lastPos, end = t.Position, t.Start
			continue
		}
		cur := &out[len(out)-1]
		if t.Start >= end && string(t.Term) != cur.whole {
			cur.parts = append(cur.parts, string(t.Term))
			end = t.End
		}
	}
	return out
}

// search runs the plan with the filters, the hits from..from+size in
// score order. Its result set is the services that have a concept of the
// query in a name, keyword or short text, or in the full text where the
// word is not common there (see fullTextLimit). A word that many full
// texts mention in passing ("Bringen Sie Ihren Personalausweis mit") still
// adds to the score of those it admits, but it would otherwise add
// thousands of hits that rank below the relevant ones anyway and cost time
// in scoring and facets. When that set is empty, the plain query runs.
// nil when nothing is left to search.
func (pl *plan) search(ctx context.Context, f Filter, size, from int, decorate func(*bleve.SearchRequest)) (*bleve.SearchResult, error) {
	main := pl.query()
	if main == nil {
		return nil, nil
	}
	run := func(q query.Query) (*bleve.SearchResult, error) {
		sr := bleve.NewSearchRequestOptions(withFilters(q, pl.ars, f, pl.now, pl.p.bounded.Load()), size, from, false)
		sr.SortBy([]string{"-_score", "_id"})
		if decorate != nil {
			decorate(sr)
		}
		if res, ok, err := pl.evaluate(ctx, sr); ok {
			return res, err
		}
		res, err := pl.p.bi.SearchInContext(ctx, sr)
		if err != nil {
			return nil, searchError(ctx, err)
		}
		return res, nil
	}
	if rf := pl.requiredFilter(); rf != nil {
		res, err := run(bleve.NewConjunctionQuery(main, newFilterQuery(rf)))
		if err != nil || res.Total > 0 {
			return res, err
		}
	}
	if tf := pl.titleFilter(); tf != nil {
		res, err := run(bleve.NewConjunctionQuery(main, newFilterQuery(tf)))
		if err != nil || res.Total > 0 {
			return res, err
		}
	}
	return run(main)
}

// genericShare is the share of the services above which a word is too
// common in names, keywords and short texts to be required (see
// requiredFilter).
const genericShare = 0.05

// requiredAbove is the estimated size of the title filter's result set
// above which requiredFilter narrows it.
const requiredAbove = 2000

// requiredFilter matches the services that have every specific concept of
// a query of several: the words that say which service is meant. Generic
// words ("beantragen", "anmelden" are in the names of thousands of
// services) and words the index lacks stay optional; they rank, but do not
// select. It applies only when the query would otherwise match more than
// requiredAbove services (by the document frequencies of its words): in a
// small result set, a relevant service that lacks one of the words ("Hartz
// IV Antrag" and Bürgergeld) should still be found. nil when it does not
// apply. Like titleFilter it has boost 0.
func (pl *plan) requiredFilter() query.Query {
	if len(pl.concepts) < 2 {
		return nil
	}
	var estimate uint64
	specific := make([]bool, len(pl.concepts))
	for i, c := range pl.concepts {
		n := pl.titleFreq(c)
		estimate += n
		specific[i] = !c.generic && (n == 0 && len(c.alts) > 1 || n > 0 && float64(n) <= genericShare*float64(pl.docCount()))
	}
	if estimate <= requiredAbove {
		return nil
	}
	pl.filter = true
	defer func() { pl.filter = false }()
	var req []query.Query
	for i, c := range pl.concepts {
		if !specific[i] {
			continue
		}
		if q := pl.conceptQuery(c); q != nil {
			req = append(req, q)
		}
	}
	switch len(req) {
	case 0:
		return nil
	case 1:
		return req[0]
	}
	return bleve.NewConjunctionQuery(req...)
}

// titleFreq returns the largest number of services that have a word of
// the concept, as typed, in a name, keyword or short text.
func (pl *plan) titleFreq(c *concept) uint64 {
	an := analyzerDE
	if pl.lang == i18n.EN {
		an = analyzerEN
	}
	var most uint64
	for _, pos := range pl.positions(an, c.alts[0].text) {
		for _, fw := range fieldWeights[:3] {
			most = max(most, pl.docFreq(fw.prefix+pl.lang, pos.whole))
		}
	}
	return most
}

func (pl *plan) docCount() uint64 {
	if pl.docs == 0 {
		n, _ := pl.r.DocCount()
		pl.docs = max(n, 1)
	}
	return pl.docs
}

// fullTextLimit is the share of the services beyond which a word's full
// text matches do not admit a service to the results (see search).
const fullTextLimit = 0.02

// titleFilter matches the services with a concept of the query in a name,
// keyword or short text, or in a full text when the word is in few of
// them, with boost 0: it selects, it does not score. nil when it would
// select what the plan's query matches anyway: when no word of the query
// is common in the full texts. (It leaves out the phrases too, but a
// phrase only matches where its words match.)
func (pl *plan) titleFilter() query.Query {
	pl.filter, pl.narrowed = true, false
	defer func() { pl.filter = false }()
	q := pl.query()
	if !pl.narrowed {
		return nil
	}
	return q
}

// query builds the Bleve query of the plan: a disjunction of the concepts,
// so that a hit needs one of them and ranks higher with each further one
// (Bleve's coordination factor). nil when nothing is left to search.
func (pl *plan) query() query.Query {
	var cs []query.Query
	for _, c := range pl.concepts {
		if q := pl.conceptQuery(c); q != nil {
			cs = append(cs, q)
		}
	}
	if len(cs) == 0 {
		return nil
	}
	return bleve.NewDisjunctionQuery(cs...)
}

func (pl *plan) conceptQuery(c *concept) query.Query {
	var qs []query.Query
	for _, a := range c.alts {
		switch a.kind {
		case altLeika, altSituation:
			field := fieldLeika
			if a.kind == altSituation {
				field = fieldSituation
			}
			qs = append(qs, pl.termQuery(field, a.text, pl.boost(a.weight*pl.scale(c))))
			continue
		}
		// Everything else, a typo correction (a folded vocabulary word)
		// too, is analysed like the indexed text.
		langs := []string{a.lang}
		if a.lang == "" {
			langs = []string{pl.lang, otherLang(pl.lang)}
		}
		for _, l := range langs {
			w := a.weight * pl.scale(c)
			if a.lang == "" && l != pl.lang {
				w *= weightOtherLang
			}
			if q := pl.textQuery(l, a.text, w); q != nil {
				qs = append(qs, q)
			}
		}
	}
	if len(qs) == 0 {
		return nil
	}
	return newMaxQuery(tieAlternatives, qs...)
}

// textQuery matches every word of text in the fields of lang.
func (pl *plan) textQuery(lang, text string, weight float64) query.Query {
	an := analyzerDE
	if lang == i18n.EN {
		an = analyzerEN
	}
	var conj []query.Query
	positions := pl.positions(an, text)
	for _, pos := range positions {
		q := pl.fieldsQuery(lang, pos.whole, weight)
		if len(pos.parts) > 1 {
			var pq []query.Query
			for _, part := range pos.parts {
				pq = append(pq, pl.fieldsQuery(lang, part, weight*weightParts))
			}
			alts := []query.Query{q, bleve.NewConjunctionQuery(pq...)}
			// A compound the catalogue does not have ("Einwohnermeldeamt")
			// also finds its head, the last part, which names what it is
			// (Meldeamt).
			if !pl.termKnown(lang, pos.whole) {
				alts = append(alts, pl.fieldsQuery(lang, pos.parts[len(pos.parts)-1], weight*weightHead))
			}
			q = newMaxQuery(tieParts, alts...)
		}
		conj = append(conj, q)
	}
	switch len(conj) {
	case 0:
		return nil
	case 1:
		return conj[0]
	}
	// The words as a phrase in a name or keyword ("residence permit" in
	// "permanent residence permit", not in "resident parking permit") add
	// to the score of having them all.
	terms := make([]string, len(positions))
	for i, pos := range positions {
		terms[i] = pos.whole
	}
	qs := []query.Query{bleve.NewConjunctionQuery(conj...)}
	if pl.filter {
		return qs[0]
	}
	var absent float64
	for _, f := range []string{"name_", "kw_"} {
		if w, ok := pl.absentPhrase(f+lang, terms, weight*weightPhrase); ok {
			absent += w
			continue
		}
		ph := bleve.NewPhraseQuery(terms, f+lang)
		ph.SetBoost(weight * weightPhrase)
		qs = append(qs, ph)
	}
	return newPrunedMaxQuery(1, absent, qs...)
}

// fieldsQuery matches term in any text field of lang, weighted by field.
// As a filter it leaves out the full text when term is common there.
func (pl *plan) fieldsQuery(lang, term string, weight float64) query.Query {
	qs := make([]query.Query, 0, len(fieldWeights))
	var absent float64
	for _, fw := range fieldWeights {
		if pl.filter && fw.prefix == "full_" && pl.commonInFullText(lang, term) {
			pl.narrowed = true
			continue
		}
		field, boost := fw.prefix+lang, pl.boost(weight*fw.weight)
		if w, ok := pl.absentTerm(field, term, boost); ok {
			absent += w
			continue
		}
		qs = append(qs, pl.termQuery(field, term, boost))
	}
	qs = append(qs, pl.localQueries(lang, term, weight)...)
	return newPrunedMaxQuery(tieFields, absent, qs...)
}

func (pl *plan) commonInFullText(lang, term string) bool {
	return float64(pl.docFreq("full_"+lang, term)) > max(fullTextLimit*float64(pl.docCount()), 20)
}

func (pl *plan) boost(w float64) float64 {
	if pl.filter {
		return 0
	}
	return w
}

// didYouMean returns the query with each corrected word replaced by its
// best candidate, spelled as in the catalogue; "" when nothing was corrected.
func (pl *plan) didYouMean(ctx context.Context) string {
	if !pl.corrected {
		return ""
	}
	var b strings.Builder
	at := 0
	for _, c := range pl.concepts {
		if len(c.typos) == 0 {
			continue
		}
		w := c.words[0]
		b.WriteString(pl.q[at:w.start])
		b.WriteString(pl.spelling(ctx, c.typos[0]))
		at = w.end
	}
	b.WriteString(pl.q[at:])
	return b.String()
}

// spelling finds how a folded vocabulary word is written in a service name
// or keyword ("fuhrerschein" -> "Führerschein").
func (pl *plan) spelling(ctx context.Context, cd candidate) string {
	t := bleve.NewTermQuery(cd.term)
	t.SetField("vocab_" + cd.lang)
	sr := bleve.NewSearchRequestOptions(t, 3, 0, false)
	sr.Fields = []string{"name_" + cd.lang, "kw_" + cd.lang}
	res, err := pl.p.bi.SearchInContext(ctx, sr)
	if err != nil {
		return cd.term
	}
	german := cd.lang == i18n.DE
	for _, h := range res.Hits {
		for _, f := range sr.Fields {
			for _, s := range storedStrings(h.Fields[f]) {
				for _, w := range queryWords(s) {
					if foldString(w.surface, german) == cd.term {
						return w.surface
					}
				}
			}
		}
	}
	return cd.term
}
