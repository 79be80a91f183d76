package search

import (
	"sort"
	"strings"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/de"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	unicodetok "github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
)

// Synonyms and abbreviations are applied by rewriting the query, never at
// index time: a change to the dictionary takes effect without a rebuild,
// and a multi-word phrase ("Hartz IV", "register my address") can stand for
// a single word and the other way round, which a token filter cannot do.
//
// The rules are the catalogue's search dictionary (catalog.Concept, see
// dictionary.go), which the editorial office edits; none are built in. This
// file is the matching: a rule fires when the query contains one of its
// trigger phrases in any inflection: triggers and query words are compared
// as folded Snowball stems of their language, ignoring stop words, so
// "Ummeldung", "ummelden" and "umgemeldet"... match the trigger "ummelden"
// as far as the stemmer conflates them. The phrase it covers becomes one
// concept of the query whose alternatives are the words as typed and every
// expansion of every rule that fired on exactly that phrase. The longest
// trigger wins; triggers do not chain. German expansions are searched in
// the German fields, English ones in the English fields, so an English
// query finds a service that is only described in German ("child benefit"
// -> Kindergeld).
//
// The stop word lists below are language rules of the analysers, not
// dictionary entries.

// rule is a dictionary entry ready for matching.
type rule struct {
	lang string
	keys [][]string // trigger phrases as stem sequences without stop words
	de   []string
	en   []string
	// situations are the life situations a dictionary entry of the
	// catalogue stands for; generic marks its phrases as saying little on
	// their own (see catalog.Concept).
	situations []string
	generic    bool
}

// synonymIndex finds rules by the stem sequence of a trigger.
type synonymIndex struct {
	byKey  map[string][]*rule // lang + "\x00" + stems joined by " "
	maxLen int
}

func newSynonymIndex() *synonymIndex {
	return &synonymIndex{byKey: map[string][]*rule{}}
}

// add indexes r under its trigger phrases and returns how many phrases it
// took; a phrase of stop words only is left out.
func (ix *synonymIndex) add(r *rule, phrases []string) int {
	n := 0
	for _, phrase := range phrases {
		var keys []string
		for _, w := range queryWords(phrase) {
			if k := w.key(r.lang); k != "" {
				keys = append(keys, k)
			}
		}
		if len(keys) == 0 {
			continue
		}
		n++
		r.keys = append(r.keys, keys)
		k := phraseKey(r.lang, keys)
		ix.byKey[k] = append(ix.byKey[k], r)
		ix.maxLen = max(ix.maxLen, len(keys))
	}
	return n
}

// phraseKey is the lookup key of a trigger: its stems as a set, since
// German word order is free ("Wohnung anmelden", "Anmeldung Wohnung").
func phraseKey(lang string, stems []string) string {
	s := append([]string(nil), stems...)
	sort.Strings(s)
	return lang + "\x00" + strings.Join(s, " ")
}

// match returns the rules of language lang whose trigger covers the content
// words words[i:] starts with, preferring the longest trigger, and the
// number of query words (stop words included) the trigger spans. Rules
// fire in the language the query is read in only: "id" is an English
// trigger, and "Steuer ID" is German.
func (ix *synonymIndex) match(words []word, i int, lang string) ([]*rule, int) {
	bestSpan := 0
	var best []*rule
	{
		if words[i].key(lang) == "" {
			return nil, 0
		}
		// Content words from i on, in this language.
		var keys []string
		var ends []int
		for j := i; j < len(words) && len(keys) < ix.maxLen; j++ {
			if k := words[j].key(lang); k != "" {
				keys = append(keys, k)
				ends = append(ends, j+1)
			}
		}
		for n := len(keys); n >= 1; n-- {
			rs := ix.byKey[phraseKey(lang, keys[:n])]
			if len(rs) == 0 {
				continue
			}
			span := ends[n-1] - i
			switch {
			case span > bestSpan:
				bestSpan, best = span, append([]*rule(nil), rs...)
			case span == bestSpan:
				best = append(best, rs...)
			}
			break
		}
	}
	return best, bestSpan
}

// word is one word of a query (or of a trigger) as the unicode tokenizer
// finds it.
type word struct {
	surface    string // as typed
	start, end int    // byte offsets in the query
	folded     string // lower case, diacritics folded, German normalisation
	stemDE     string // Snowball German stem of folded, "" for a German stop word
	stemEN     string // Snowball English stem, "" for an English stop word
	numeric    bool
}

func (w word) key(lang string) string {
	if lang == "en" {
		return w.stemEN
	}
	return w.stemDE
}

var tokenizer = unicodetok.NewUnicodeTokenizer()

// queryWords splits s into words.
func queryWords(s string) []word {
	var out []word
	for _, t := range tokenizer.Tokenize([]byte(s)) {
		w := word{surface: string(t.Term), start: t.Start, end: t.End, numeric: t.Type == analysis.Numeric}
		w.folded = foldString(w.surface, true)
		if w.folded == "" {
			continue
		}
		if !stopDE[w.folded] {
			w.stemDE = stem(germanStemmer, w.folded)
		}
		if fe := foldString(w.surface, false); !stopEN[fe] {
			w.stemEN = stem(englishStemmer, strings.TrimSuffix(strings.TrimSuffix(fe, "'s"), "’s"))
		}
		out = append(out, w)
	}
	return out
}

var (
	germanStemmer  = de.NewGermanStemmerFilter()
	englishStemmer = en.NewEnglishStemmerFilter()
)

func stem(f analysis.TokenFilter, s string) string {
	ts := f.Filter(analysis.TokenStream{{Term: []byte(s)}})
	return string(ts[0].Term)
}

// stopDE and stopEN are the stop word lists of the analysers, folded.
var (
	stopDE = foldedStopWords(de.GermanStopWords, true)
	stopEN = foldedStopWords(en.EnglishStopWords, false)
)

func foldedStopWords(list []byte, german bool) map[string]bool {
	tm := analysis.NewTokenMap()
	if err := tm.LoadBytes(list); err != nil {
		panic(err)
	}
	out := make(map[string]bool, 2*len(tm))
	for w := range tm {
		out[w] = true
		out[foldString(w, german)] = true
	}
	return out
}
