package search

import (
	"fmt"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/lang/de"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	unicodetok "github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/registry"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/i18n"
)

// Local terms in context: the terms a municipality (or district) adds to a
// central service as a reviewed local addition (catalog.Specialisation
// with Terms, "Fundbüro am Obermarkt"). They belong to the places of that
// region only: a search for one of its places finds the service by them,
// a search anywhere else or without a place does not.
//
// A service has one document, so the region travels with every term: the
// document's local_<lang> field holds one value per addition, the region
// key followed by the terms, and the analyser (the language's, then
// regionPrefixFilter) indexes each word as "<region key>/<stem>". A search
// for a place looks its words up under the keys of the place and the
// regions above it (catalog.Ancestors) that have local terms at all
// (local_ars), weighted like the central terms (weightLocalTerms); a search
// without a place, or for a place without local terms, adds no clause.

const (
	fieldLocalARS       = "local_ars" // region keys of the published local terms of a document
	analyzerLocalDE     = "lf_local_de"
	analyzerLocalEN     = "lf_local_en"
	filterRegionPrefix  = "lf_region_prefix"
	regionPrefixDivider = "/"
	// weightLocalTerms: a local term weighs like a central one (the
	// terms_ field, between the name and the body text).
	weightLocalTerms = 1.8
)

func init() {
	if err := registry.RegisterTokenFilter(filterRegionPrefix, func(map[string]any, *registry.Cache) (analysis.TokenFilter, error) {
		return regionPrefixFilter{}, nil
	}); err != nil {
		panic(err)
	}
}

// regionPrefixFilter takes the first token of a field value, a 12-digit
// region key, off the stream and puts it in front of every other token. A
// value that does not start with a region key yields no tokens.
type regionPrefixFilter struct{}

func (regionPrefixFilter) Filter(in analysis.TokenStream) analysis.TokenStream {
	if len(in) == 0 || !catalog.ValidARS(string(in[0].Term)) {
		return nil
	}
	prefix := string(in[0].Term) + regionPrefixDivider
	out := in[1:]
	for _, t := range out {
		t.Term = []byte(prefix + string(t.Term))
		t.Position--
	}
	return out
}

// addLocalAnalysis registers the analysers of the local_ fields; they run
// after addAnalysis, whose fold filters they use.
func addLocalAnalysis(m *mapping.IndexMappingImpl) error {
	for _, a := range []struct{ name, fold, stem string }{
		{analyzerLocalDE, filterFoldDE, de.SnowballStemmerName},
		{analyzerLocalEN, filterFoldEN, en.SnowballStemmerName},
	} {
		err := m.AddCustomAnalyzer(a.name, map[string]any{"type": custom.Name, "tokenizer": unicodetok.Name,
			"token_filters": []any{a.fold, a.stem, filterRegionPrefix}})
		if err != nil {
			return err
		}
	}
	return nil
}

// addLocalTerms puts the published local terms of the service's LeiKa keys
// into its document.
func (d *document) addLocalTerms(tx *catalog.Tx, s *catalog.Service) error {
	seen := map[string]bool{}
	for _, k := range s.LeikaKeys {
		sps, err := tx.LocalTerms(k)
		if err != nil {
			return err
		}
		for _, sp := range sps {
			var deText, enText string
			for _, t := range sp.Terms {
				if t.Lang == i18n.EN {
					enText += " " + t.Text
				} else {
					deText += " " + t.Text
				}
			}
			if deText != "" {
				d.LocalDE = append(d.LocalDE, sp.RegionKey+deText)
			}
			if enText != "" {
				d.LocalEN = append(d.LocalEN, sp.RegionKey+enText)
			}
			if !seen[sp.RegionKey] {
				seen[sp.RegionKey] = true
				d.LocalARS = append(d.LocalARS, sp.RegionKey)
			}
		}
	}
	return nil
}

// specialisationLeika returns the LeiKa key whose documents a change of a
// local addition affects, "" when neither the version it wrote nor the one
// it replaced has terms (a text addition is not indexed).
func specialisationLeika(tx *catalog.Tx, ch catalog.Change) (string, error) {
	var versions []*catalog.Specialisation
	prev, err := tx.VersionBefore(catalog.KindSpecialisation, ch.ID, ch.Revision)
	switch {
	case err != nil:
		return "", err
	case prev != nil:
		versions = append(versions, prev.(*catalog.Specialisation))
	case ch.Op == catalog.OpDelete || ch.Version > 1:
		// As for responsibilities (respKeys): only a rebuild knows which
		// document held the terms of a compacted history.
		return "", &catalog.Error{Code: catalog.ENOTFOUND, Rule: catalog.RuleCompacted,
			Message: fmt.Sprintf("the history of local addition %s was compacted", ch.ID)}
	}
	if ch.Op == catalog.OpPut {
		cur, err := tx.VersionAt(catalog.KindSpecialisation, ch.ID, ch.Revision)
		if err != nil {
			return "", err
		}
		versions = append(versions, cur.(*catalog.Specialisation))
	}
	for _, sp := range versions {
		if len(sp.Terms) > 0 {
			return sp.LeikaKey, nil
		}
	}
	return "", nil
}

// localPlaces returns the region keys of the plan's place and the regions
// above it under which the index has local terms, read once per plan;
// none without a place.
func (pl *plan) localPlaces() []string {
	if pl.ars == "" {
		return nil
	}
	if pl.local == nil {
		pl.local = []string{}
		for _, a := range catalog.Ancestors(pl.ars) {
			if pl.docFreq(fieldLocalARS, a) > 0 {
				pl.local = append(pl.local, a)
			}
		}
	}
	return pl.local
}

// localQueries returns the clauses that find an analysed term among the
// local terms of the plan's place, for fieldsQuery.
func (pl *plan) localQueries(lang, term string, weight float64) []query.Query {
	var qs []query.Query
	for _, a := range pl.localPlaces() {
		qs = append(qs, pl.termQuery("local_"+lang, a+regionPrefixDivider+term, pl.boost(weight*weightLocalTerms)))
	}
	return qs
}

// localMatches names the local terms fields ("local_de 066360003003") in
// which the document iid has an analysed term for the plan's place, for
// Explain.
func (pl *plan) localMatches(lang, term string, iid index.IndexInternalID) []string {
	var out []string
	for _, a := range pl.localPlaces() {
		if pl.hasTerm("local_"+lang, a+regionPrefixDivider+term, iid) {
			out = append(out, "local_"+lang+" "+a)
		}
	}
	return out
}

// localKnown reports whether an analysed term is a local term of the
// plan's place: such a word is not corrected as a typo.
func (pl *plan) localKnown(lang, term string) bool {
	for _, a := range pl.localPlaces() {
		if pl.docFreq("local_"+lang, a+regionPrefixDivider+term) > 0 {
			return true
		}
	}
	return false
}
