package demo

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leistungsfinder/leistungsfinder/catalog"
)

// A store loaded before the search's built-in rules became dictionary
// entries gets them at the next start, once; what its editors did to the
// dictionary stays as they left it.
func TestAddNewDictionaryEntriesToAnOlderStore(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the demo catalogue")
	}
	st := mustOpen(t)
	_, err := Load(ctx, st, testLogger(t))
	require.NoError(t, err)
	all, err := Dictionary()
	require.NoError(t, err)
	const older = 70 // entries of the dictionary before the built-in rules moved into it
	require.Greater(t, len(all), older)
	n, err := AddNewDictionaryEntries(ctx, st, testLogger(t))
	require.NoError(t, err)
	assert.Zero(t, n, "a store loaded with the current demo has every entry")

	// Make the store an older one: the mark counts 70 entries, the store
	// has only those, and an editor's entry took the next ID.
	editors := &catalog.Concept{Meta: catalog.Meta{ID: conceptID(older + 1)}, Lang: "de", Phrases: []string{"kisten schleppen"},
		Means: map[string][]string{"de": {"Wohnsitz Anmeldung"}}}
	require.NoError(t, st.Update(ctx, func(tx *catalog.Tx) error {
		for _, c := range all[older:] {
			if err := tx.Delete(catalog.KindConcept, c.ID, catalog.Write{Actor: "test"}); err != nil {
				return err
			}
		}
		if err := tx.Put(editors, catalog.Write{Actor: "editor"}); err != nil {
			return err
		}
		return rewriteCompletion(tx, func(s *Summary) { s.Concepts = older })
	}))

	n, err = AddNewDictionaryEntries(ctx, st, testLogger(t))
	require.NoError(t, err)
	assert.Equal(t, len(all)-older, n)
	var drone *catalog.Concept
	view(t, st, func(tx *catalog.Tx) {
		cs, err := tx.Concepts()
		require.NoError(t, err)
		assert.Len(t, cs, len(all)+1, "the demo's entries and the editor's")
		for _, c := range cs {
			if c.ID == editors.ID {
				assert.Equal(t, []string{"kisten schleppen"}, c.Phrases, "the editor's entry keeps its ID")
			}
			if slices.Contains(c.Phrases, "drohne") {
				drone = c
			}
		}
		assert.Equal(t, len(all), Inspect(tx).Summary.Concepts, "the mark counts them")
	})
	require.NotNil(t, drone, "a former built-in rule is in the store")
	assert.NotEqual(t, editors.ID, drone.ID)

	// An editor deletes one; the next start does not bring it back.
	require.NoError(t, st.Update(ctx, func(tx *catalog.Tx) error {
		return tx.Delete(catalog.KindConcept, drone.ID, catalog.Write{Actor: "editor"})
	}))
	n, err = AddNewDictionaryEntries(ctx, st, testLogger(t))
	require.NoError(t, err)
	assert.Zero(t, n)
	view(t, st, func(tx *catalog.Tx) { assert.False(t, tx.Exists(catalog.KindConcept, drone.ID)) })
}
