package search

import (
	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/i18n"
)

// loadDictionary builds the query rewriting of a projection from the
// catalogue's search dictionary (Concept records, which the editorial
// office edits; the demo catalogue brings its entries, see
// catalog/demo/content/search-dictionary.json). An entry's phrases become
// triggers (synonyms.go); its words are the expansions and its life
// situations boost the services assigned to them. The projection rebuilds
// it whenever a dictionary entry changes. There are no built-in rules: an
// entry an editor deletes is gone from the search.
func loadDictionary(tx *catalog.Tx) (*synonymIndex, error) {
	concepts, err := tx.Concepts()
	if err != nil {
		return nil, err
	}
	ix := newSynonymIndex()
	for _, c := range concepts {
		if c.Lang != i18n.DE && c.Lang != i18n.EN {
			continue
		}
		r := &rule{lang: c.Lang, de: c.Means[i18n.DE], en: c.Means[i18n.EN], situations: c.LifeSituationIDs, generic: c.Generic}
		ix.add(r, c.Phrases)
	}
	return ix, nil
}
