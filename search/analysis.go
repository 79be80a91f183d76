package search

import (
	"fmt"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/lang/de"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	unicodetok "github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/analysis/tokenmap"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/registry"
	"golang.org/x/text/unicode/norm"
)

// Names under which the analysis components are registered with Bleve and
// referenced from the persisted index mapping. They are part of the index
// format: renaming one requires a new MappingVersion.
const (
	analyzerDE      = "lf_de"       // German texts: fold, stop words, compounds, Snowball
	analyzerEN      = "lf_en"       // English texts: fold, possessive, stop words, Snowball
	analyzerVocabDE = "lf_vocab_de" // German names and keywords, unstemmed: autocomplete, did-you-mean
	analyzerVocabEN = "lf_vocab_en" // English names and keywords, unstemmed
	filterFold      = "lf_fold"     // lower case + diacritic folding (+ German rules, stop words, compounds)
	filterFoldDE    = "lf_fold_de"
	filterFoldEN    = "lf_fold_en"
	filterVocabDE   = "lf_fold_vocab_de"
	filterVocabEN   = "lf_fold_vocab_en"
	tokenMapDict    = "lf_compound_dict" // compound parts, built from the catalogue at rebuild
	highlighterMark = "lf_mark"          // <mark> highlighter that merges overlapping matches
)

func init() {
	if err := registry.RegisterTokenFilter(filterFold, foldFilterConstructor); err != nil {
		panic(err)
	}
	if err := registry.RegisterHighlighter(highlighterMark, markHighlighterConstructor); err != nil {
		panic(err)
	}
}

// addAnalysis registers the analysers of the index in m. dict is the
// compound dictionary (folded words); it is stored with the mapping, so an
// index always analyses with the dictionary it was built with.
func addAnalysis(m *mapping.IndexMappingImpl, dict []string) error {
	tokens := make([]any, len(dict))
	for i, w := range dict {
		tokens[i] = w
	}
	steps := []struct {
		add  func(string, map[string]any) error
		name string
		conf map[string]any
	}{
		{m.AddCustomTokenMap, tokenMapDict, map[string]any{"type": tokenmap.Name, "tokens": tokens}},
		{m.AddCustomTokenFilter, filterFoldDE, map[string]any{"type": filterFold, "german": true, "stop": de.StopName, "dict": tokenMapDict}},
		{m.AddCustomTokenFilter, filterFoldEN, map[string]any{"type": filterFold, "stop": en.StopName, "possessive": true}},
		{m.AddCustomTokenFilter, filterVocabDE, map[string]any{"type": filterFold, "german": true, "stop": de.StopName, "dict": tokenMapDict}},
		{m.AddCustomTokenFilter, filterVocabEN, map[string]any{"type": filterFold, "stop": en.StopName, "possessive": true}},
		{m.AddCustomAnalyzer, analyzerDE, map[string]any{"type": custom.Name, "tokenizer": unicodetok.Name,
			"token_filters": []any{filterFoldDE, de.SnowballStemmerName}}},
		{m.AddCustomAnalyzer, analyzerEN, map[string]any{"type": custom.Name, "tokenizer": unicodetok.Name,
			"token_filters": []any{filterFoldEN, en.SnowballStemmerName}}},
		{m.AddCustomAnalyzer, analyzerVocabDE, map[string]any{"type": custom.Name, "tokenizer": unicodetok.Name,
			"token_filters": []any{filterVocabDE}}},
		{m.AddCustomAnalyzer, analyzerVocabEN, map[string]any{"type": custom.Name, "tokenizer": unicodetok.Name,
			"token_filters": []any{filterVocabEN}}},
	}
	for _, s := range steps {
		if err := s.add(s.name, s.conf); err != nil {
			return fmt.Errorf("analysis %s: %w", s.name, err)
		}
	}
	return nil
}

// foldFilter is the first token filter of every analyser here. It sees the
// tokenizer's output, whose Term is still the original bytes of the text,
// and does in one pass what would otherwise take four filters: lower case,
// diacritic folding (ä→a, é→e, ß→ss, combining marks dropped), German
// normalisation (ae/oe/ue→a/o/u as in Lucene's GermanNormalizationFilter),
// stop words, and dictionary decompounding. Doing it in one pass keeps a map
// from every folded rune back to its original bytes, so the compound parts
// it adds carry correct byte offsets even after an umlaut: Bleve's own
// dict_compound filter adds rune counts to byte offsets and so marks the
// wrong bytes in "Führerscheinprüfung". It also renumbers positions after
// removing stop words, so a phrase ignores them.
type foldFilter struct {
	german     bool
	possessive bool
	stop       map[string]bool
	dict       *decompounder
}

func foldFilterConstructor(config map[string]any, cache *registry.Cache) (analysis.TokenFilter, error) {
	f := &foldFilter{}
	f.german, _ = config["german"].(bool)
	f.possessive, _ = config["possessive"].(bool)
	if name, _ := config["stop"].(string); name != "" {
		tm, err := cache.TokenMapNamed(name)
		if err != nil {
			return nil, err
		}
		f.stop = make(map[string]bool, 2*len(tm))
		for w := range tm {
			f.stop[w] = true
			f.stop[foldString(w, f.german)] = true
		}
	}
	if name, _ := config["dict"].(string); name != "" {
		tm, err := cache.TokenMapNamed(name)
		if err != nil {
			return nil, err
		}
		f.dict = newDecompounder(tm, f.german)
	}
	return f, nil
}

func (f *foldFilter) Filter(in analysis.TokenStream) analysis.TokenStream {
	out := make(analysis.TokenStream, 0, len(in)+len(in)/4)
	pos := 0
	var fw foldedWord
	for _, tok := range in {
		fw.fold(tok.Term, f.german)
		if f.possessive {
			fw.trimPossessive()
		}
		if len(fw.runes) == 0 {
			continue
		}
		term := string(fw.runes)
		if f.stop[term] || f.stop[strings.ToLower(string(tok.Term))] {
			continue
		}
		pos++
		out = append(out, &analysis.Token{Term: []byte(term), Start: tok.Start, End: tok.End,
			Position: pos, Type: tok.Type, KeyWord: tok.KeyWord})
		if f.dict == nil || tok.Type != analysis.AlphaNumeric {
			continue
		}
		for _, p := range f.dict.parts(fw.runes) {
			out = append(out, &analysis.Token{
				Term:     []byte(string(fw.runes[p.from:p.to])),
				Start:    tok.Start + fw.start[p.from],
				End:      tok.Start + fw.end[p.to-1],
				Position: pos, Type: tok.Type, KeyWord: tok.KeyWord,
			})
		}
	}
	return out
}

// foldedWord is a folded token with, for every folded rune, the byte range
// of the original text it came from.
type foldedWord struct {
	runes      []rune
	start, end []int
}

func (w *foldedWord) emit(r rune, from, to int) {
	w.runes = append(w.runes, r)
	w.start = append(w.start, from)
	w.end = append(w.end, to)
}

// German normalisation states (Lucene's GermanNormalizationFilter).
const (
	stateN = iota // ordinary
	stateV        // stops 'u' from entering the umlaut state
	stateU        // umlaut state: a following 'e' is dropped
)

// fold fills w from the original bytes b.
func (w *foldedWord) fold(b []byte, german bool) {
	w.runes, w.start, w.end = w.runes[:0], w.start[:0], w.end[:0]
	state := stateN
	extend := func(to int) {
		if n := len(w.end); n > 0 {
			w.end[n-1] = to
		}
	}
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		from, to := i, i+size
		i = to
		if r == utf8.RuneError && size <= 1 {
			continue
		}
		r = unicode.ToLower(r)
		switch {
		case r == 'a' || r == 'o':
			w.emit(r, from, to)
			state = stateU
		case r == 'u':
			w.emit(r, from, to)
			if state == stateN {
				state = stateU
			} else {
				state = stateV
			}
		case r == 'e':
			if german && state == stateU {
				extend(to)
			} else {
				w.emit(r, from, to)
			}
			state = stateV
		case r == 'i' || r == 'q' || r == 'y':
			w.emit(r, from, to)
			state = stateV
		case r == 'ä':
			w.emit('a', from, to)
			state = stateV
		case r == 'ö':
			w.emit('o', from, to)
			state = stateV
		case r == 'ü':
			w.emit('u', from, to)
			state = stateV
		case r == 'ß':
			w.emit('s', from, to)
			w.emit('s', from, to)
			state = stateN
		case r < utf8.RuneSelf:
			w.emit(r, from, to)
			state = stateN
		case unicode.Is(unicode.Mn, r):
			// A combining mark (a decomposed umlaut's diaeresis): dropped,
			// but the highlight of its letter covers it.
			extend(to)
			if german && r == '\u0308' && len(w.runes) > 0 {
				state = stateV
			}
		default:
			w.emit(baseRune(r), from, to)
			state = stateN
		}
	}
}

// trimPossessive removes an English "'s" / "’s" ending.
func (w *foldedWord) trimPossessive() {
	n := len(w.runes)
	if n >= 3 && w.runes[n-1] == 's' && (w.runes[n-2] == '\'' || w.runes[n-2] == '’') {
		w.runes, w.start, w.end = w.runes[:n-2], w.start[:n-2], w.end[:n-2]
	}
}

// baseRune returns the letter without diacritics (é→e, ç→c, ł stays).
func baseRune(r rune) rune {
	d := norm.NFD.String(string(r))
	b, _ := utf8.DecodeRuneInString(d)
	if b == utf8.RuneError {
		return r
	}
	return b
}

// foldString folds s the way the analysers fold a token.
func foldString(s string, german bool) string {
	var w foldedWord
	w.fold([]byte(s), german)
	return string(w.runes)
}

// decompounder splits German compounds into dictionary words. Unlike
// Bleve's dict_compound filter, which emits every dictionary word found
// anywhere inside a token (so "Gewerbe" yields "erbe"), it accepts only a
// segmentation that covers the whole word with dictionary words, joined by
// the German linking elements (Fugen: s, es, n, en, e, er, ens) and ending
// in an optional inflection. Among segmentations the one with the fewest
// parts wins (Kraftfahrzeug+steuer before Kraft+fahr+zeug+steuer); parts
// are then split again, so every level is searchable.
type decompounder struct {
	words map[string]bool
}

const (
	minCompoundLen = 6  // shorter words are not split
	minPartLen     = 3  // three-letter parts must be in the dictionary explicitly (bau, kfz)
	maxPartLen     = 30 // longer parts are not looked up
	maxSplitDepth  = 3
)

var (
	linkers  = []string{"", "s", "es", "n", "en", "e", "er", "ens"}
	suffixes = map[string]bool{"": true, "s": true, "es": true, "n": true, "en": true, "e": true,
		"er": true, "ern": true, "em": true, "ns": true}
)

func newDecompounder(tm analysis.TokenMap, german bool) *decompounder {
	d := &decompounder{words: make(map[string]bool, len(tm))}
	for w := range tm {
		if f := foldString(w, german); utf8.RuneCountInString(f) >= minPartLen {
			d.words[f] = true
		}
	}
	return d
}

// span is a part of a word in rune indexes [from, to).
type span struct{ from, to int }

// parts returns the spans of the compound parts of w at every level, without
// w itself; nil if w is no compound.
func (d *decompounder) parts(w []rune) []span {
	if d == nil || len(d.words) == 0 || len(w) < minCompoundLen {
		return nil
	}
	var out []span
	seen := map[span]bool{}
	var walk func(from, to, depth int)
	walk = func(from, to, depth int) {
		if depth > maxSplitDepth {
			return
		}
		for _, p := range d.segment(w[from:to]) {
			s := span{from + p.from, from + p.to}
			if !seen[s] {
				seen[s] = true
				out = append(out, s)
				if s.to-s.from >= minCompoundLen {
					walk(s.from, s.to, depth+1)
				}
			}
		}
	}
	walk(0, len(w), 0)
	sort.Slice(out, func(i, j int) bool {
		if out[i].from != out[j].from {
			return out[i].from < out[j].from
		}
		return out[i].to > out[j].to
	})
	return out
}

// segment returns the parts of the best full segmentation of w into at
// least two dictionary words, or nil.
func (d *decompounder) segment(w []rune) []span {
	n := len(w)
	if n < minCompoundLen {
		return nil
	}
	const inf = 1 << 20
	// Substrings of str by rune index, without allocating for each lookup.
	str := string(w)
	off := make([]int, n+1)
	for i := 0; i < n; i++ {
		off[i+1] = off[i] + utf8.RuneLen(w[i])
	}
	best := make([]int, n+1)    // fewest parts covering w[i:]
	partEnd := make([]int, n+1) // end of the first part from i
	next := make([]int, n+1)    // where the rest starts (after the linker)
	best[n] = 0
	for i := n - 1; i >= 0; i-- {
		best[i] = inf
		for j := i + minPartLen; j <= n && j-i <= maxPartLen; j++ {
			if !d.words[str[off[i]:off[j]]] {
				continue
			}
			// Fewest parts first; then, for the same rest, the shorter part
			// (the linking element is no part of the word: Hund+e+steuer,
			// not Hunde+steuer); else the longer first part.
			consider := func(cost, k int) {
				better := cost < best[i]
				if cost == best[i] {
					if k == next[i] {
						better = j < partEnd[i]
					} else {
						better = j > partEnd[i]
					}
				}
				if better {
					best[i], partEnd[i], next[i] = cost, j, k
				}
			}
			// The whole word as one part is no split: at 0 only
			// segmentations with a second part count.
			if i > 0 && suffixes[str[off[j]:]] {
				consider(1, n)
			}
			for _, l := range linkers {
				k := j + len(l)
				if k >= n || !hasRunePrefix(w[j:], l) || best[k] >= inf {
					continue
				}
				consider(1+best[k], k)
			}
		}
	}
	if best[0] < 2 || best[0] >= inf {
		return nil
	}
	var out []span
	for i := 0; i < n; i = next[i] {
		out = append(out, span{i, partEnd[i]})
		if next[i] <= i {
			break
		}
	}
	return out
}

func hasRunePrefix(w []rune, p string) bool {
	i := 0
	for _, r := range p {
		if i >= len(w) || w[i] != r {
			return false
		}
		i++
	}
	return true
}

// compoundParts is the hand list of words that compounds are split into,
// beside the catalogue's own vocabulary (compoundDictionary). It holds the
// parts people search on their own ("Steuer", "Ausweis", "Schein") and
// three-letter parts that the vocabulary rule (four letters or more) leaves
// out (Bau, Kfz, Amt).
var compoundParts = []string{
	// three letters, allowed only because they are listed here
	"bau", "kfz", "pkw", "lkw", "amt", "ehe", "tod", "alt", "neu", "rad", "see", "zoll",
	// people, family
	"hund", "hunde", "katze", "pferd", "tier", "kind", "kinder", "eltern", "mutter", "vater", "familie",
	"familien", "person", "personal", "bürger", "senior", "senioren", "jugend", "frau", "frauen", "ausländer",
	"behinderte", "schwerbehinderte", "behinderung", "pflege", "betreuung", "vormund", "vormundschaft",
	"geburt", "sterbe", "sterbefall", "heirat", "hochzeit", "lebenspartner", "lebenspartnerschaft", "name", "namens",
	"vaterschaft", "mutterschaft", "anerkennung", "unterhalt", "vorschuss", "erziehung", "tages", "stätte",
	"kindertages", "kindergarten", "krippe", "hort", "schule", "schüler", "studium", "studien", "student",
	"ausbildung", "förderung", "bildung", "teilhabe",
	// documents
	"ausweis", "pass", "reise", "reisepass", "schein", "karte", "urkunde", "bescheinigung", "bestätigung",
	"nachweis", "zeugnis", "führung", "auskunft", "abschrift", "unterschrift", "beglaubigung", "vollmacht",
	"erklärung", "verpflichtung", "register", "melde", "meldung", "anmeldung", "abmeldung", "ummeldung",
	"änderung", "ausstellung", "verlängerung", "umtausch", "tausch", "verlust", "diebstahl", "sperre", "sperr",
	"antrag", "anfrage", "voranfrage", "genehmigung", "erlaubnis", "zulassung", "befreiung", "ermäßigung",
	"erstattung", "bescheid", "prüfung", "formular", "termin", "beratung", "wahl", "brief", "stimm",
	// residence, building, environment
	"wohnsitz", "wohnung", "wohn", "sitz", "haupt", "neben", "zweit", "geber", "miete", "miet", "raum",
	"haus", "gebäude", "garten", "grund", "grundstück", "boden", "baum", "fällung", "wald", "forst", "holz",
	"natur", "umwelt", "wasser", "abwasser", "abfall", "müll", "tonne", "energie", "strom", "wärme", "heizung",
	"solar", "anlage", "denkmal", "plan", "planung", "bebauung", "vermessung", "kataster", "fisch", "fischerei",
	"jagd", "waffe", "waffen", "besitz", "erwerb", "munition", "feuer", "wehr", "brand", "lärm", "schutz",
	// traffic
	"fahrzeug", "kraft", "kraftfahrzeug", "auto", "motor", "fahrrad", "boot", "schiff", "fahr", "führer",
	"fahrer", "kennzeichen", "wunsch", "betrieb", "außer", "halter", "wechsel", "park", "parken", "bewohner",
	"platz", "halteverbot", "verbot", "zone", "straße", "straßen", "verkehr", "sonder", "nutzung", "umzug",
	"klasse", "papiere",
	// money, work, business
	"steuer", "lohn", "einkommen", "gewerbe", "gaststätte", "gast", "zentral", "einsicht", "handel", "markt",
	"laden", "betriebs", "firma", "unternehmen", "geld", "kosten", "gebühr", "gebühren", "beitrag", "zuschuss",
	"zuschlag", "hilfe", "sozial", "sicherung", "grundsicherung", "lebens", "rente", "renten", "versicherung",
	"kranken", "arbeit", "arbeits", "arbeitslos", "leistung", "leistungen", "darlehen", "kredit", "konto",
	"zahlung", "kirche", "kirchen", "austritt", "bestattung", "veranstaltung", "fund", "sache", "sachen",
	"aufenthalt", "aufenthalts", "niederlassung", "einbürgerung", "staat", "angehörigkeit", "daueraufenthalt",
}
