package search

import (
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/token/compound"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFoldString(t *testing.T) {
	tests := []struct {
		in, want string
		german   bool
	}{
		{"Führerschein", "fuhrerschein", true},
		{"Fuehrerschein", "fuhrerschein", true},
		{"Fu\u0308hrerschein", "fuhrerschein", true}, // decomposed ü
		{"Straße", "strasse", true},
		{"STRASSE", "strasse", true},
		{"ẞ", "ss", true},
		{"Café", "cafe", true},
		{"Bürgergeld", "burgergeld", true},
		{"Steuer", "steuer", true}, // "eu" is no umlaut spelling
		{"Mauer", "mauer", true},
		{"Fuehrerschein", "fuehrerschein", false}, // English keeps the e
		{"Führerschein", "fuhrerschein", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			assert.Equal(t, tt.want, foldString(tt.in, tt.german))
		})
	}
}

func dictOf(words ...string) analysis.TokenMap {
	tm := analysis.NewTokenMap()
	for _, w := range words {
		tm.AddToken(w)
	}
	return tm
}

func TestDecompounder(t *testing.T) {
	d := newDecompounder(dictOf(append(compoundParts, "erbe", "anmeldung", "meldeamt", "einwohner")...), true)
	tests := []struct {
		word string
		want []string // parts at every level, in order
	}{
		{"hundesteuer", []string{"hund", "steuer"}},
		{"personalausweis", []string{"personal", "ausweis"}},
		{"fuhrerschein", []string{"fuhrer", "schein"}},
		{"wohnsitzanmeldung", []string{"wohnsitz", "wohn", "sitz", "anmeldung"}},
		{"kraftfahrzeugsteuer", []string{"kraftfahrzeug", "kraft", "fahrzeug", "steuer"}},
		{"hundesteuern", []string{"hund", "steuer"}},                             // inflected at the end
		{"staatsangehorigkeit", []string{"staat", "angehorigkeit"}},              // Fuge -s-
		{"einwohnermeldeamt", []string{"einwohner", "meldeamt", "melde", "amt"}}, // three-letter part from the hand list
		{"gewerbe", nil},    // "erbe" is in it, but "gew" + "erbe" ... gew is too short to be a part
		{"bestattung", nil}, // no full cover
		{"ausweis", nil},    // a word, not a compound
		{"hund", nil},       // too short
	}
	for _, tt := range tests {
		t.Run(tt.word, func(t *testing.T) {
			w := []rune(tt.word)
			var got []string
			for _, p := range d.parts(w) {
				got = append(got, string(w[p.from:p.to]))
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

// analyzeWith runs an analyser of a fresh mapping with the given dictionary.
func analyzeWith(t *testing.T, analyzer, text string, dict ...string) analysis.TokenStream {
	t.Helper()
	m, err := newMapping(dict)
	require.NoError(t, err)
	a := m.AnalyzerNamed(analyzer)
	require.NotNil(t, a, analyzer)
	return a.Analyze([]byte(text))
}

func terms(ts analysis.TokenStream) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = string(t.Term)
	}
	return out
}

func TestGermanAnalyzer(t *testing.T) {
	t.Run("StemmingMeets", func(t *testing.T) {
		a := terms(analyzeWith(t, analyzerDE, "Anmeldung"))
		b := terms(analyzeWith(t, analyzerDE, "anmelden"))
		assert.Equal(t, a, b, "Anmeldung and anmelden must meet")
		assert.Equal(t, terms(analyzeWith(t, analyzerDE, "Führerscheine")), terms(analyzeWith(t, analyzerDE, "fuhrerschein")))
	})
	t.Run("StopWords", func(t *testing.T) {
		assert.Equal(t, []string{"personalausweis", "beantrag"}, terms(analyzeWith(t, analyzerDE, "wie kann ich meinen Personalausweis beantragen")))
	})
	t.Run("CompoundParts", func(t *testing.T) {
		ts := analyzeWith(t, analyzerDE, "Hundesteuer", compoundParts...)
		assert.Equal(t, []string{"hundesteu", "hund", "steu"}, terms(ts))
		for _, tok := range ts {
			assert.Equal(t, 1, tok.Position, "parts share the position of their word")
		}
	})
	t.Run("PositionsSkipStopWords", func(t *testing.T) {
		ts := analyzeWith(t, analyzerDE, "Parkausweis für Bewohner")
		var pos []int
		for _, tok := range ts {
			pos = append(pos, tok.Position)
		}
		assert.Equal(t, []int{1, 2}, pos)
	})
	t.Run("English", func(t *testing.T) {
		assert.Equal(t, []string{"regist", "address"}, terms(analyzeWith(t, analyzerEN, "registering the addresses")))
		assert.Equal(t, []string{"citizen", "incom"}, terms(analyzeWith(t, analyzerEN, "citizen's income")))
	})
}

// TestCompoundOffsetsAfterUmlaut checks that a part found after an umlaut
// points at its own bytes. Bleve's dict_compound filter adds rune indexes to
// byte offsets; the fold filter maps folded runes back to the original bytes.
func TestCompoundOffsetsAfterUmlaut(t *testing.T) {
	text := "Die Führerscheinprüfung"
	ts := analyzeWith(t, analyzerDE, text, "fuhrer", "schein", "prufung")
	got := map[string]string{}
	for _, tok := range ts {
		got[string(tok.Term)] = text[tok.Start:tok.End]
	}
	assert.Equal(t, "Führerscheinprüfung", got["fuhrerscheinpruf"], "the whole word")
	assert.Equal(t, "Führer", got["fuhr"])
	assert.Equal(t, "schein", got["schein"])
	assert.Equal(t, "prüfung", got["prufung"])

	// Bleve's own filter, for comparison: after the ü it is one byte off.
	bleveParts := compound.NewDictionaryCompoundFilter(dictOf("prüfung"), 5, 2, 15, false).
		Filter(unicode.NewUnicodeTokenizer().Tokenize([]byte(text)))
	for _, tok := range bleveParts {
		if string(tok.Term) == "prüfung" {
			assert.NotEqual(t, "prüfung", text[tok.Start:tok.End], "bleve's dict_compound offsets are rune counts")
		}
	}
}

func TestHighlightUmlaut(t *testing.T) {
	f := newFixture(t)
	ix := openMem(t, f.st)
	for _, q := range []string{"fuhrerschein", "Führerschein", "Fuehrerschein"} {
		t.Run(q, func(t *testing.T) {
			res, err := ix.Search(ctx, Request{Query: q})
			require.NoError(t, err)
			require.NotEmpty(t, res.Hits)
			assert.Equal(t, keyFuehrerUm, res.Hits[0].LeikaKeys[0])
			name := strings.Join(res.Hits[0].Highlights["name"], " ")
			assert.Equal(t, "Alten <mark>Führerschein</mark> in neuen <mark>Führerschein</mark> umtauschen", name)
		})
	}
	t.Run("Part", func(t *testing.T) {
		res, err := ix.Search(ctx, Request{Query: "Steuer"})
		require.NoError(t, err)
		var names []string
		for _, h := range res.Hits {
			names = append(names, h.Highlights["name"]...)
		}
		assert.Contains(t, names, "Hunde<mark>steuer</mark> Anmeldung")
		assert.Contains(t, names, "Grund<mark>steuer</mark> Festsetzung")
	})
	t.Run("WholeAndPartsMerged", func(t *testing.T) {
		res, err := ix.Search(ctx, Request{Query: "Hundesteuer"})
		require.NoError(t, err)
		require.NotEmpty(t, res.Hits)
		assert.Equal(t, []string{"<mark>Hundesteuer</mark> Anmeldung"}, res.Hits[0].Highlights["name"])
	})
}

func TestCompoundPartsList(t *testing.T) {
	seen := map[string]bool{}
	for _, w := range compoundParts {
		assert.Equal(t, strings.ToLower(w), w, "lower case: %s", w)
		assert.GreaterOrEqual(t, len([]rune(w)), minPartLen, w)
		assert.False(t, seen[w], "duplicate %s", w)
		assert.False(t, stopDE[foldString(w, true)], "stop word %s", w)
		seen[w] = true
	}
}
