package search

import (
	"context"
	"sort"
	"strings"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/i18n"
)

// Suggestion is an autocomplete entry: a service name in the language
// asked for (German when there is no translation), or a local term of the
// place asked for, and the service.
type Suggestion struct {
	Text      string
	ServiceID string
}

const (
	defaultSuggestions = 8
	maxSuggestions     = 20
	prefixTerms        = 30 // vocabulary terms a prefix expands to, the most frequent
)

// Suggest completes what a user is typing to service names: every word but
// the last must occur in a name or keyword of the service, the last one is
// a prefix ("hundest" -> Hundesteuer, "steu" -> Hundesteuer, Grundsteuer:
// compound parts count). With ars, only services responsible at that place
// or above it, and then the published local terms of that place and the
// regions above it come first ("Fundbüro am Obermarkt" in Eschwege, never
// elsewhere; see suggestlocal.go). Names whose start matches the prefix come
// first. lang "" tries German, then English.
//
// Errors: INVALID (empty or too long prefix, region key, language),
// NOT_FOUND (unknown region key), INTERNAL.
func (ix *Index) Suggest(ctx context.Context, prefix, ars, lang string, limit int) ([]Suggestion, error) {
	q, err := cleanQuery(prefix)
	if err != nil {
		return nil, err
	}
	lang, err = parseLang(lang)
	if err != nil {
		return nil, err
	}
	switch {
	case limit < 0:
		return nil, catalog.Invalid("limit", "range", "must not be negative")
	case limit == 0:
		limit = defaultSuggestions
	case limit > maxSuggestions:
		limit = maxSuggestions
	}
	p, release, err := ix.acquire()
	if err != nil {
		return nil, err
	}
	defer release()
	if err := checkARS(p, ars); err != nil {
		return nil, err
	}
	words := queryWords(q)
	if len(words) == 0 {
		return []Suggestion{}, nil
	}
	if len(words) > maxWords {
		words = words[len(words)-maxWords:]
	}
	complete := strings.HasSuffix(prefix, " ")
	local, err := ix.localSuggestions(ctx, p, ars, lang, words, complete)
	if err != nil {
		return nil, err
	}
	langs := []string{lang}
	if lang == "" {
		langs = []string{i18n.DE, i18n.EN}
	}
	for _, l := range langs {
		qq := ix.suggestQuery(p, l, words, complete)
		if qq == nil {
			continue
		}
		sr := bleve.NewSearchRequestOptions(withFilters(qq, ars, Filter{}, ix.st.Now(), p.bounded.Load()), 3*limit, 0, false)
		sr.SortBy([]string{"-_score", "_id"})
		res, err := p.bi.SearchInContext(ctx, sr)
		if err != nil {
			return nil, searchError(ctx, err)
		}
		if len(res.Hits) == 0 {
			continue
		}
		ids := make([]string, len(res.Hits))
		for i, h := range res.Hits {
			ids[i] = h.ID
		}
		names, err := ix.names(ctx, ids, l, words[len(words)-1].folded, limit)
		if err != nil {
			return nil, err
		}
		return mergeSuggestions(local, names, limit), nil
	}
	return mergeSuggestions(local, nil, limit), nil
}

// suggestQuery matches the words in the vocabulary field of lang: the last
// one as a prefix expanded to the most frequent terms that start with it.
func (ix *Index) suggestQuery(p *projection, lang string, words []word, complete bool) query.Query {
	field := "vocab_" + lang
	german := lang == i18n.DE
	var conj []query.Query
	for i, w := range words {
		f := foldString(w.surface, german)
		stop := stopDE
		if !german {
			stop = stopEN
		}
		if i < len(words)-1 || complete {
			if stop[f] {
				continue
			}
			t := bleve.NewTermQuery(f)
			t.SetField(field)
			conj = append(conj, t)
			continue
		}
		terms := prefixExpansion(p, field, f)
		if len(terms) == 0 {
			return nil
		}
		var ds []query.Query
		for _, term := range terms {
			t := bleve.NewTermQuery(term)
			t.SetField(field)
			if term == f {
				t.SetBoost(2)
			}
			ds = append(ds, t)
		}
		conj = append(conj, bleve.NewDisjunctionQuery(ds...))
	}
	switch len(conj) {
	case 0:
		return nil
	case 1:
		return conj[0]
	}
	return bleve.NewConjunctionQuery(conj...)
}

// prefixExpansion returns the most frequent terms of field that start with
// prefix (at most prefixTerms), so that a one-letter prefix cannot expand to
// a query over the whole vocabulary.
func prefixExpansion(p *projection, field, prefix string) []string {
	if prefix == "" {
		return nil
	}
	fd, err := p.bi.FieldDictPrefix(field, []byte(prefix))
	if err != nil {
		return nil
	}
	defer fd.Close()
	type tc struct {
		term  string
		count uint64
	}
	var all []tc
	for {
		e, err := fd.Next()
		if err != nil || e == nil {
			break
		}
		all = append(all, tc{e.Term, e.Count})
	}
	sort.SliceStable(all, func(i, j int) bool {
		if all[i].count != all[j].count {
			return all[i].count > all[j].count
		}
		return len(all[i].term) < len(all[j].term)
	})
	out := make([]string, 0, min(len(all), prefixTerms))
	for i := 0; i < len(all) && i < prefixTerms; i++ {
		out = append(out, all[i].term)
	}
	return out
}

// names reads the names of the services from the store, in order, names
// that start with the typed prefix first, without duplicates.
func (ix *Index) names(ctx context.Context, ids []string, lang, last string, limit int) ([]Suggestion, error) {
	var svcs []*catalog.Service
	err := ix.st.View(ctx, func(tx *catalog.Tx) error {
		var err error
		svcs, err = tx.Services(ids)
		return err
	})
	if err != nil {
		return nil, err
	}
	type entry struct {
		s     Suggestion
		start bool
	}
	var es []entry
	seen := map[string]bool{}
	german := lang == i18n.DE
	for _, s := range svcs {
		text := nameIn(s, lang)
		if text == "" || seen[text] {
			continue
		}
		seen[text] = true
		es = append(es, entry{Suggestion{Text: text, ServiceID: s.ID}, strings.HasPrefix(foldString(text, german), last)})
	}
	sort.SliceStable(es, func(i, j int) bool { return es[i].start && !es[j].start })
	out := make([]Suggestion, 0, min(limit, len(es)))
	for i := 0; i < len(es) && i < limit; i++ {
		out = append(out, es[i].s)
	}
	return out, nil
}

// nameIn returns the name of a service people read in lang: the citizen
// wording, else the formal name, in lang if there is one, else in German.
func nameIn(s *catalog.Service, lang string) string {
	for _, l := range []string{lang, i18n.DE} {
		for _, m := range []catalog.Module{catalog.ModuleCitizenName, catalog.ModuleName} {
			if v := s.Texts[m][l].Value; v != "" {
				return v
			}
		}
	}
	return ""
}
