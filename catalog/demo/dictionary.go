package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"

	"github.com/leistungsfinder/leistungsfinder/catalog"
)

// Dictionary returns the demo's search dictionary (content/search-dictionary.json)
// as the records Load writes, with the IDs of their life situations as
// Load gives them. Tests of the search load it into catalogues of their
// own: the search has no rules but the catalogue's.
func Dictionary() ([]*catalog.Concept, error) {
	_, _, ids, err := readSituations()
	if err != nil {
		return nil, err
	}
	return readDictionary(ids)
}

// AddNewDictionaryEntries brings a store that holds the complete demo up to
// the demo's current search dictionary: the entries that
// content/search-dictionary.json gained after the store was loaded (those
// past the count its completion mark records) are written as actor "demo",
// and the mark then counts them, so that it happens once. Entries are only
// appended to the file, never reordered, so the first ones are the store's
// already; what editors changed or deleted of them stays as they left it.
// An ID the store has given to an entry of its own is not reused: that
// entry keeps it and the demo's gets a new one.
//
// It is the migration of the rules that used to be built into the search's
// code (they are dictionary entries since, and a store without them would
// search worse than before). A store without the complete demo, or of
// another portal, is left alone. It returns how many entries it wrote.
func AddNewDictionaryEntries(ctx context.Context, st *catalog.Store, log *slog.Logger) (int, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	all, err := Dictionary()
	if err != nil {
		return 0, fmt.Errorf("demo: %w", err)
	}
	added := 0
	err = st.Update(ctx, func(tx *catalog.Tx) error {
		added = 0
		state := Inspect(tx)
		if !state.upgradable(tx) || state.Summary.Concepts >= len(all) {
			return nil
		}
		w := catalog.Write{Actor: "demo", Reason: "demo catalogue: search dictionary entries added since the store was loaded"}
		situations := storeSituationIDs(tx)
		for _, c := range all[state.Summary.Concepts:] {
			c := *c
			c.LifeSituationIDs = slices.Clone(c.LifeSituationIDs)
			for i, id := range c.LifeSituationIDs {
				if sid, ok := situations[id]; ok {
					c.LifeSituationIDs[i] = sid // the upgrade found the demo's ID taken
				}
			}
			if tx.Exists(catalog.KindConcept, c.ID) {
				c.ID = ""
			}
			if err := tx.Put(&c, w); err != nil {
				return fmt.Errorf("concept %v: %w", c.Phrases, err)
			}
			added++
		}
		state.Summary.Concepts = len(all)
		mark, err := json.Marshal(completion{Portal: Portal, Summary: state.Summary})
		if err != nil {
			return err
		}
		return tx.SetMark(markName, mark)
	})
	if err != nil {
		return 0, fmt.Errorf("demo: %w", err)
	}
	if added > 0 {
		log.Info("demo: search dictionary entries added", "count", added, "dictionaryEntries", len(all), "revision", st.Revision())
	}
	return added, nil
}
