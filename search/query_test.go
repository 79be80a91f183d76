package search

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/i18n"
)

func doSearch(t testing.TB, ix *Index, req Request) *Result {
	t.Helper()
	res, err := ix.Search(ctx, req)
	require.NoError(t, err, req.Query)
	return res
}

func TestSearchFindsWhatPeopleType(t *testing.T) {
	f := newFixture(t)
	ix := openMem(t, f.st)
	tests := []struct {
		name, query, lang string
		first             string // LeiKa key of the first hit
	}{
		{"Official", "Personalausweis", "", keyPerso},
		{"Abbreviation", "perso", "", keyPerso},
		{"AbbreviationAndColloquialVerb", "perso verloren", "", keyPersoVerlust},
		{"Colloquial", "ummelden", "", keyWohnsitzAn},
		{"ColloquialNoun", "Umzug", "", keyWohnsitzAn},
		{"MultiWordSynonym", "Hartz IV", "", keyBuergergeld},
		{"MultiWordSynonymDigit", "hartz 4", "", keyBuergergeld},
		{"KfzAbbreviation", "Kfz anmelden", "", keyKfzNeu},
		{"Kita", "Kita", "", keyKita},
		{"Bafoeg", "Bafög", "", keyBafoeg},
		{"StemmedVerb", "anmelden Wohnsitz", "", keyWohnsitzAn},
		{"CompoundPartSteuer", "Hund Steuer", "", keyHundesteuer},
		{"QueryCompoundOfSeparateWords", "Wohnsitzanmeldung", "", keyWohnsitzAn},
		{"HyphenatedCompound", "Kfz-Zulassung", "", keyKfzNeu},
		{"WithoutUmlaut", "Fuhrerschein umtauschen", "", keyFuehrerUm},
		{"UmlautSpelledOut", "Fuehrerschein", "", keyFuehrerUm},
		{"SeparableVerb", "melde meinen Hund an", "", keyHundesteuer},
		{"English", "register address", "en", keyWohnsitzAn},
		{"EnglishDetected", "how do I apply for a passport", "", keyReisepass},
		{"EnglishMultiWordToGerman", "register my address", "", keyWohnsitzAn},
		{"EnglishToGermanOnlyService", "child benefit", "", keyKindergeld},
		{"LeikaKey", keyGrundsteuer, "", keyGrundsteuer},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := doSearch(t, ix, Request{Query: tt.query, Lang: tt.lang})
			require.NotEmpty(t, res.Hits, tt.query)
			assert.Equal(t, tt.first, res.Hits[0].LeikaKeys[0], "%s: got %v", tt.query, leikaOf(res.Hits))
		})
	}
}

func TestSearchCompounds(t *testing.T) {
	f := newFixture(t)
	ix := openMem(t, f.st)
	keys := func(q string) []string { return leikaOf(doSearch(t, ix, Request{Query: q}).Hits) }
	assert.Contains(t, keys("Hund"), keyHundesteuer, "Hundesteuer is found by Hund")
	assert.Contains(t, keys("Steuer"), keyHundesteuer, "and by Steuer")
	assert.Contains(t, keys("Steuer"), keyGrundsteuer)
	assert.Contains(t, keys("Ausweis"), keyPerso, "Personalausweis by Ausweis")
	assert.Equal(t, keys("Anmeldung"), keys("anmelden"), "Anmeldung and anmelden meet")
}

func TestSearchTypos(t *testing.T) {
	f := newFixture(t)
	ix := openMem(t, f.st)
	tests := []struct{ query, first, dym string }{
		{"Persnalausweis", keyPerso, "Personalausweis"},
		{"Perosnalausweis", keyPerso, "Personalausweis"}, // swapped letters
		{"Reisepas", keyReisepass, "Reisepass"},
		{"Hundesteur", keyHundesteuer, "Hundesteuer"},
		{"Fuhrerschien umtauschen", keyFuehrerUm, "Führerschein umtauschen"},
		{"Kindergled beantragen", keyKindergeld, "Kindergeld beantragen"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			res := doSearch(t, ix, Request{Query: tt.query})
			require.NotEmpty(t, res.Hits)
			assert.Equal(t, tt.first, res.Hits[0].LeikaKeys[0])
			assert.Equal(t, tt.dym, res.DidYouMean)
		})
	}
	t.Run("RankedBelowExact", func(t *testing.T) {
		// "Reisepass" is exact, "Grundsteur" a typo: the exact match first.
		res := doSearch(t, ix, Request{Query: "Reisepass Grundsteur"})
		got := leikaOf(res.Hits)
		require.Contains(t, got, keyGrundsteuer)
		assert.Equal(t, keyReisepass, got[0])
	})
	t.Run("ShortWordsAreNotCorrected", func(t *testing.T) {
		res := doSearch(t, ix, Request{Query: "Hnd"})
		assert.Zero(t, res.Total)
		assert.Empty(t, res.DidYouMean)
	})
	t.Run("NoHitsNoSuggestion", func(t *testing.T) {
		res := doSearch(t, ix, Request{Query: "Xylophonstimmung"})
		assert.Zero(t, res.Total)
		assert.Empty(t, res.DidYouMean)
	})
	t.Run("NoHitsAtPlace", func(t *testing.T) {
		// A corrected word whose service is not offered at the place: no
		// hits, but the correction is still shown.
		res := doSearch(t, ix, Request{Query: "Ausbildungsfoerderng", ARS: arsDarmstadt})
		assert.Equal(t, "Ausbildungsförderung", res.DidYouMean)
	})
}

func TestLanguage(t *testing.T) {
	f := newFixture(t)
	ix := openMem(t, f.st)
	tests := []struct{ query, lang, want string }{
		{"register address", "", i18n.EN},
		{"how do I apply for a passport", "", i18n.EN},
		{"Wohnsitz anmelden", "", i18n.DE},
		{"Personalausweis", "", i18n.DE},
		{"Führerschein", "", i18n.DE},
		{"perso", "", i18n.DE},
		{"passport", "", i18n.EN},
		{"Personalausweis", "en", i18n.EN},
		{"register address", "DE", i18n.DE},
	}
	for _, tt := range tests {
		t.Run(tt.query+"/"+tt.lang, func(t *testing.T) {
			assert.Equal(t, tt.want, doSearch(t, ix, Request{Query: tt.query, Lang: tt.lang}).Lang)
		})
	}
	t.Run("EnglishHighlights", func(t *testing.T) {
		res := doSearch(t, ix, Request{Query: "passport", Lang: "en"})
		require.NotEmpty(t, res.Hits)
		assert.Equal(t, []string{"Applying for a <mark>passport</mark>"}, res.Hits[0].Highlights["name"])
	})
}

func TestRegion(t *testing.T) {
	f := newFixture(t)
	ix := openMem(t, f.st)
	tests := []struct {
		name, query, ars, key string
		want                  bool
	}{
		{"MunicipalAtMunicipality", "Hundesteuer", arsEschwege, keyHundesteuer, true},
		{"DistrictAtMunicipality", "Führerschein umtauschen", arsEschwege, keyFuehrerUm, true},
		{"DistrictAtDistrictFreeCity", "Führerschein umtauschen", arsKassel, keyFuehrerUm, true},
		{"StateEverywhere", "Bafög", arsSooden, keyBafoeg, true},
		{"FederalOnlineEverywhere", "Kindergeld", arsEschwege, keyKindergeld, true},
		{"MunicipalNotAboveItsPlaces", "Hundesteuer", arsRBKassel, keyHundesteuer, false},
		{"MunicipalNotInDistrictWithout", "Hundesteuer", arsLKKassel, keyHundesteuer, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := doSearch(t, ix, Request{Query: tt.query, ARS: tt.ars})
			assert.Equal(t, tt.ars, res.ARS)
			assert.Equal(t, tt.want, contains(leikaOf(res.Hits), tt.key))
		})
	}
}

func contains(s []string, v string) bool {
	for _, e := range s {
		if e == v {
			return true
		}
	}
	return false
}

func TestPlaceInQuery(t *testing.T) {
	f := newFixture(t)
	ix := openMem(t, f.st)
	tests := []struct{ query, ars, want, first string }{
		{"ummelden kassel", "", arsKassel, keyWohnsitzAn},
		{"Hundesteuer Eschwege", "", arsEschwege, keyHundesteuer},
		{"hundesteuer in bad sooden-allendorf", "", arsSooden, keyHundesteuer},
		{"hundesteuer 37269", "", arsEschwege, keyHundesteuer},
		{"ummelden kassel", arsEschwege, arsEschwege, keyWohnsitzAn}, // the request's place wins
		{"kassel", "", "", ""}, // a place alone is the query
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			res := doSearch(t, ix, Request{Query: tt.query, ARS: tt.ars})
			assert.Equal(t, tt.want, res.ARS)
			if tt.first != "" {
				require.NotEmpty(t, res.Hits)
				assert.Equal(t, tt.first, res.Hits[0].LeikaKeys[0])
			}
		})
	}
}

func TestFacetsAndFilters(t *testing.T) {
	f := newFixture(t)
	ix := openMem(t, f.st)
	all := doSearch(t, ix, Request{Query: "beantragen anmelden", First: MaxFirst})
	require.Positive(t, all.Total)
	counts := func(facet string) map[string]int {
		m := map[string]int{}
		for _, v := range all.Facets[facet] {
			m[v.Value] = v.Count
		}
		return m
	}
	assert.Positive(t, counts(FacetCategory)["Ausweise"])
	assert.Positive(t, counts(FacetAddressee)["CITIZEN"])
	assert.Positive(t, counts(FacetHasOnline)["true"])
	assert.Positive(t, counts(FacetBundle)[bundleID])

	t.Run("Category", func(t *testing.T) {
		res := doSearch(t, ix, Request{Query: "beantragen anmelden", Filter: Filter{Categories: []string{"Ausweise"}}})
		assert.Equal(t, counts(FacetCategory)["Ausweise"], res.Total)
		assert.Equal(t, []FacetValue{{"Ausweise", res.Total}}, res.Facets[FacetCategory])
	})
	t.Run("AddresseeAndOnline", func(t *testing.T) {
		yes := true
		res := doSearch(t, ix, Request{Query: "beantragen anmelden", Filter: Filter{Addressees: []string{"BUSINESS"}, HasOnline: &yes}})
		assert.ElementsMatch(t, []string{keyGewerbeAn, keyKfzNeu}, leikaOf(res.Hits))
	})
	t.Run("Bundle", func(t *testing.T) {
		res := doSearch(t, ix, Request{Query: "beantragen anmelden", Filter: Filter{BundleIDs: []string{bundleID}}})
		for _, k := range leikaOf(res.Hits) {
			assert.Contains(t, []string{keyPerso, keyPersoVerlust, keyReisepass}, k)
		}
	})
	t.Run("FiltersDoNotChangeScores", func(t *testing.T) {
		a := doSearch(t, ix, Request{Query: "Personalausweis"})
		b := doSearch(t, ix, Request{Query: "Personalausweis", ARS: arsEschwege, Filter: Filter{Categories: []string{"Ausweise"}}})
		require.NotEmpty(t, a.Hits)
		require.NotEmpty(t, b.Hits)
		assert.InDelta(t, a.Hits[0].Score, b.Hits[0].Score, 1e-9)
	})
}

func TestPagination(t *testing.T) {
	f := newFixture(t)
	ix := openMem(t, f.st)
	req := Request{Query: "beantragen anmelden", First: 3}
	seen := map[string]bool{}
	pages := 0
	var total int
	for {
		res := doSearch(t, ix, req)
		total = res.Total
		pages++
		for _, h := range res.Hits {
			assert.False(t, seen[h.ServiceID], "no hit twice: %s", h.ServiceID)
			seen[h.ServiceID] = true
		}
		if !res.HasNextPage {
			break
		}
		require.NotEmpty(t, res.EndCursor)
		req.After = res.EndCursor
		require.Less(t, pages, 20)
	}
	assert.Equal(t, total, len(seen))
	assert.Greater(t, pages, 1)

	t.Run("CursorOfAnotherSearch", func(t *testing.T) {
		first := doSearch(t, ix, Request{Query: "beantragen", First: 1})
		_, err := ix.Search(ctx, Request{Query: "anmelden", After: first.EndCursor})
		assert.Equal(t, catalog.EINVALID, catalog.ErrorCode(err))
	})
	t.Run("FirstCapped", func(t *testing.T) {
		res := doSearch(t, ix, Request{Query: "beantragen", First: 10000})
		assert.LessOrEqual(t, len(res.Hits), MaxFirst)
	})
}

func TestBadInput(t *testing.T) {
	f := newFixture(t)
	ix := openMem(t, f.st)
	long := strings.Repeat("Personalausweis ", 40)[:MaxQueryLen]
	tests := []struct {
		name string
		req  Request
		code string // "" = answered
	}{
		{"Empty", Request{Query: ""}, catalog.EINVALID},
		{"Blank", Request{Query: " \t\n "}, catalog.EINVALID},
		{"TooLong", Request{Query: strings.Repeat("a", MaxQueryLen+1)}, catalog.EINVALID},
		{"TooLongRunes", Request{Query: strings.Repeat("ä", MaxQueryLen+1)}, catalog.EINVALID},
		{"MaxLength", Request{Query: long}, ""},
		{"Binary", Request{Query: "\x00\x01\xff\xfeperso\x7f"}, ""},
		{"OnlyControl", Request{Query: "\x00\x01\x02"}, catalog.EINVALID},
		{"Star", Request{Query: "*"}, ""},
		{"Wildcards", Request{Query: "pers* ?usweis"}, ""},
		{"Fuzzy", Request{Query: "perso~2"}, ""},
		{"Field", Request{Query: "name_de:perso"}, ""},
		{"Quotes", Request{Query: `"perso`}, ""},
		{"Brackets", Request{Query: "((perso] {ausweis"}, ""},
		{"PlusMinus", Request{Query: "+perso -ausweis"}, ""},
		{"Regexp", Request{Query: "/.*/"}, ""},
		{"Boolean", Request{Query: "perso AND NOT ausweis OR"}, ""},
		{"Boost", Request{Query: "perso^100"}, ""},
		{"HTML", Request{Query: "<script>alert(1)</script>"}, ""},
		{"SQL", Request{Query: "'; DROP TABLE services; --"}, ""},
		{"ZeroWidth", Request{Query: "per\u200bso"}, ""},
		{"Emoji", Request{Query: "🐶 steuer"}, ""},
		{"ManyWords", Request{Query: strings.Repeat("a b c d e f g h ", 60)[:MaxQueryLen]}, ""},
		{"Lang", Request{Query: "perso", Lang: "fr"}, catalog.EINVALID},
		{"ARSFormat", Request{Query: "perso", ARS: "0636"}, catalog.EINVALID},
		{"ARSUnknown", Request{Query: "perso", ARS: "099999999999"}, catalog.ENOTFOUND},
		{"FirstNegative", Request{Query: "perso", First: -1}, catalog.EINVALID},
		{"Cursor", Request{Query: "perso", After: "not-a-cursor"}, catalog.EINVALID},
		{"CursorHuge", Request{Query: "perso", After: strings.Repeat("A", 10000)}, catalog.EINVALID},
		{"Addressee", Request{Query: "perso", Filter: Filter{Addressees: []string{"ALIENS"}}}, catalog.EINVALID},
		{"CategoryEmpty", Request{Query: "perso", Filter: Filter{Categories: []string{""}}}, catalog.EINVALID},
		{"TooManyFilterValues", Request{Query: "perso", Filter: Filter{BundleIDs: make([]string, maxFilterTerms+1)}}, catalog.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := ix.Search(ctx, tt.req)
			if tt.code != "" {
				require.Error(t, err)
				assert.Equal(t, tt.code, catalog.ErrorCode(err), err.Error())
				return
			}
			require.NoError(t, err)
			assert.LessOrEqual(t, len(res.Hits), DefaultFirst)
		})
	}
	t.Run("OperatorsArePlainText", func(t *testing.T) {
		a := doSearch(t, ix, Request{Query: "perso"})
		for _, q := range []string{"perso*", `"perso"`, "+perso", "(perso)", "perso:"} {
			b := doSearch(t, ix, Request{Query: q})
			assert.Equal(t, leikaOf(a.Hits), leikaOf(b.Hits), q)
		}
	})
}

func FuzzSearch(f *testing.F) {
	fx := newFixture(f)
	ix := openMem(f, fx.st)
	for _, s := range []string{"perso", "ummelden kassel", "\x00", "*", "a~2", `"x`, "((", "+-", "name_de:x", "ä\u0308", "Hartz IV", "register my address", "37269"} {
		f.Add(s, "")
	}
	f.Add("perso", arsEschwege)
	f.Fuzz(func(t *testing.T, q, ars string) {
		res, err := ix.Search(ctx, Request{Query: q, ARS: ars})
		if err != nil {
			code := catalog.ErrorCode(err)
			if code != catalog.EINVALID && code != catalog.ENOTFOUND {
				t.Fatalf("Search(%q, %q): %v", q, ars, err)
			}
			return
		}
		if !utf8.ValidString(res.DidYouMean) {
			t.Fatalf("invalid UTF-8 in DidYouMean %q", res.DidYouMean)
		}
		if _, err := ix.Suggest(ctx, q, ars, "", 5); err != nil && catalog.ErrorCode(err) != catalog.EINVALID && catalog.ErrorCode(err) != catalog.ENOTFOUND {
			t.Fatalf("Suggest(%q): %v", q, err)
		}
	})
}

func TestSuggest(t *testing.T) {
	f := newFixture(t)
	ix := openMem(t, f.st)
	texts := func(ss []Suggestion) []string {
		var out []string
		for _, s := range ss {
			out = append(out, s.Text)
		}
		return out
	}
	tests := []struct {
		prefix, ars, lang string
		want              []string // contained
		first             string
	}{
		{"hundest", "", "", []string{"Hundesteuer - Hund anmelden"}, "Hundesteuer - Hund anmelden"},
		{"steu", "", "", []string{"Hundesteuer - Hund anmelden", "Grundsteuerbescheid erhalten"}, ""},
		{"Perso", "", "", []string{"Personalausweis beantragen"}, "Personalausweis beantragen"},
		{"personalausweis be", "", "", []string{"Personalausweis beantragen"}, "Personalausweis beantragen"},
		{"führ", "", "", []string{"Alten Führerschein in neuen Führerschein umtauschen"}, ""},
		{"fuhr", "", "", []string{"Alten Führerschein in neuen Führerschein umtauschen"}, ""},
		{"ident", "", "en", []string{"Applying for an identity card"}, ""},
		{"pass", "", "en", []string{"Applying for a passport"}, ""},
		{"hundest", arsRBKassel, "", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.prefix+"/"+tt.ars+"/"+tt.lang, func(t *testing.T) {
			got, err := ix.Suggest(ctx, tt.prefix, tt.ars, tt.lang, 0)
			require.NoError(t, err)
			for _, w := range tt.want {
				assert.Contains(t, texts(got), w)
			}
			if tt.want == nil {
				assert.Empty(t, got)
			}
			if tt.first != "" {
				require.NotEmpty(t, got)
				assert.Equal(t, tt.first, got[0].Text)
			}
			for _, s := range got {
				assert.NotEmpty(t, s.ServiceID)
			}
		})
	}
	t.Run("Limit", func(t *testing.T) {
		got, err := ix.Suggest(ctx, "a", "", "", 2)
		require.NoError(t, err)
		assert.LessOrEqual(t, len(got), 2)
	})
	t.Run("BadInput", func(t *testing.T) {
		for _, p := range []string{"", "  ", strings.Repeat("x", MaxQueryLen+1)} {
			_, err := ix.Suggest(ctx, p, "", "", 5)
			assert.Equal(t, catalog.EINVALID, catalog.ErrorCode(err), "%q", p)
		}
		_, err := ix.Suggest(ctx, "hund", "12", "", 5)
		assert.Equal(t, catalog.EINVALID, catalog.ErrorCode(err))
		_, err = ix.Suggest(ctx, "hund", "", "xx", 5)
		assert.Equal(t, catalog.EINVALID, catalog.ErrorCode(err))
		got, err := ix.Suggest(ctx, "*?~", "", "", 5)
		require.NoError(t, err)
		assert.Empty(t, got)
	})
}

func TestExplain(t *testing.T) {
	f := newFixture(t)
	ix := openMem(t, f.st)
	t.Run("Found", func(t *testing.T) {
		ex, err := ix.Explain(ctx, "perso", arsEschwege, keyPerso)
		require.NoError(t, err)
		require.Len(t, ex.Services, 1)
		s := ex.Services[0]
		assert.True(t, s.Published)
		assert.True(t, s.Valid)
		assert.True(t, s.Indexed)
		assert.True(t, s.Responsible)
		assert.Equal(t, []string{arsEschwege}, s.ResponsibleAt)
		assert.Equal(t, 1, s.Rank)
		assert.NotEmpty(t, s.Matches)
		var fields []string
		for _, m := range s.Matches {
			fields = append(fields, m.Fields...)
		}
		assert.Contains(t, fields, "name_de", "Personalausweis, the synonym of perso, is in the name")
		assert.Contains(t, strings.Join(ex.Rewritten, ";"), "Personalausweis")
	})
	t.Run("NotResponsibleAtPlace", func(t *testing.T) {
		ex, err := ix.Explain(ctx, "Hundesteuer", arsLKKassel, keyHundesteuer)
		require.NoError(t, err)
		require.Len(t, ex.Services, 1)
		assert.False(t, ex.Services[0].Responsible)
		assert.Zero(t, ex.Services[0].Rank)
		assert.NotEmpty(t, ex.Services[0].Matches, "it matches, the place is the reason")
		assert.Contains(t, strings.Join(ex.Reasons, " "), "no responsibility at "+arsLKKassel)
	})
	t.Run("Draft", func(t *testing.T) {
		ex, err := ix.Explain(ctx, "Hundeführerschein", "", keyDraft)
		require.NoError(t, err)
		require.Len(t, ex.Services, 1)
		assert.False(t, ex.Services[0].Published)
		assert.False(t, ex.Services[0].Indexed)
		assert.Contains(t, strings.Join(ex.Reasons, " "), "DRAFT")
	})
	t.Run("NoMatch", func(t *testing.T) {
		ex, err := ix.Explain(ctx, "Bauantrag", "", keyPerso)
		require.NoError(t, err)
		assert.Empty(t, ex.Services[0].Matches)
		assert.Zero(t, ex.Services[0].Rank)
	})
	t.Run("PlaceFromQuery", func(t *testing.T) {
		ex, err := ix.Explain(ctx, "ummelden kassel", "", keyWohnsitzAn)
		require.NoError(t, err)
		assert.Equal(t, arsKassel, ex.ARS)
		assert.Equal(t, 1, ex.Services[0].Rank)
	})
	t.Run("UnknownKey", func(t *testing.T) {
		ex, err := ix.Explain(ctx, "perso", "", "99999999999999")
		require.NoError(t, err)
		assert.Empty(t, ex.Services)
		assert.NotEmpty(t, ex.Reasons)
	})
	t.Run("BadInput", func(t *testing.T) {
		_, err := ix.Explain(ctx, "perso", "", "123")
		assert.Equal(t, catalog.EINVALID, catalog.ErrorCode(err))
		_, err = ix.Explain(ctx, "", "", keyPerso)
		assert.Equal(t, catalog.EINVALID, catalog.ErrorCode(err))
		_, err = ix.Explain(ctx, "perso", "x", keyPerso)
		assert.Equal(t, catalog.EINVALID, catalog.ErrorCode(err))
	})
}

func TestCursor(t *testing.T) {
	fp := fingerprint("perso", "", "", Filter{})
	c := encodeCursor(20, fp)
	n, err := decodeCursor(c, fp)
	require.NoError(t, err)
	assert.Equal(t, 20, n)
	_, err = decodeCursor(c, fp+1)
	assert.Error(t, err)
	_, err = decodeCursor(encodeCursor(maxOffset+1, fp), fp)
	assert.Error(t, err)
}

func FuzzDecodeCursor(f *testing.F) {
	fp := fingerprint("perso", "", "", Filter{})
	f.Add(encodeCursor(10, fp))
	f.Add("")
	f.Add("czE6LTE6MDAwMDAwMDA")
	f.Fuzz(func(t *testing.T, c string) {
		n, err := decodeCursor(c, fp)
		if err == nil && (n < 0 || n > maxOffset) {
			t.Fatalf("decodeCursor(%q) = %d", c, n)
		}
	})
}
