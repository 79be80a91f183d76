package demo

import (
	"encoding/json"
	"log/slog"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/i18n"
)

// olderSituations is the size of the taxonomy of the release before the
// last five situations (energy, funding, accident, culture, agriculture)
// were added.
const olderSituations = 33

// makeOlderStore turns a store loaded with the current demo into one as the
// earlier release left it: the taxonomy without the situations from
// olderSituations+1 on, the services without them, without any situation
// the services in without (as its fewer name rules left them), a completion
// mark that counts the older taxonomy and no seed mark. Everything is
// written as actor "demo", as that release's load wrote it.
func makeOlderStore(t *testing.T, st *catalog.Store, without []string) {
	t.Helper()
	old := catalog.Write{Actor: "demo", Reason: "demo catalogue"}
	newer := map[string]bool{}
	for n := olderSituations + 1; n <= 40; n++ {
		newer[situationID(n)] = true
	}
	require.NoError(t, st.Update(ctx, func(tx *catalog.Tx) error {
		svcs, err := tx.AllServices()
		if err != nil {
			return err
		}
		for _, s := range svcs {
			keep := slices.DeleteFunc(slices.Clone(s.LifeSituationIDs), func(id string) bool { return newer[id] })
			if slices.Contains(without, s.ID) {
				keep = nil
			}
			if len(keep) == len(s.LifeSituationIDs) {
				continue
			}
			s.LifeSituationIDs = keep
			if err := tx.Put(s, old); err != nil {
				return err
			}
		}
		for id := range newer {
			if tx.Exists(catalog.KindLifeSituation, id) {
				if err := tx.Delete(catalog.KindLifeSituation, id, old); err != nil {
					return err
				}
			}
		}
		if err := rewriteCompletion(tx, func(s *Summary) { s.LifeSituations = olderSituations }); err != nil {
			return err
		}
		return tx.SetMark(seedMarkName, []byte{})
	}))
}

// rewriteCompletion changes the counts of the completion mark, as a load by
// an earlier release wrote them.
func rewriteCompletion(tx *catalog.Tx, edit func(*Summary)) error {
	state := Inspect(tx)
	edit(&state.Summary)
	mark, err := json.Marshal(completion{Portal: Portal, Summary: state.Summary})
	if err != nil {
		return err
	}
	return tx.SetMark(markName, mark)
}

// An operator's store from the release before the newest life situations
// gets them and the assignments of its services at the next start; what
// editors did stays as they left it; a second run changes nothing.
func TestUpgradeLifeSituationsOfAnOlderStore(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the demo catalogue")
	}
	c, err := build(slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	require.Greater(t, len(c.situationRecs), olderSituations, "the taxonomy grew since the older release")
	energy := situationID(34)
	require.Equal(t, "energy", c.situationRecs[33].Key)

	// Services by their part in the story: one the demo assigns to energy,
	// one the older release left without situations (its name rules did
	// not match), two an editor changes.
	var energetic, unassigned, edited, removed *catalog.Service
	for _, s := range c.services {
		switch {
		case energetic == nil && slices.Contains(s.LifeSituationIDs, energy):
			energetic = s
		case unassigned == nil && s.RegionKey == catalog.Bund && len(s.LifeSituationIDs) == 1 && s.LifeSituationIDs[0] != energy:
			unassigned = s
		case edited == nil && len(s.LifeSituationIDs) > 0 && s.ID < serviceID(firstAdminService):
			edited = s
		case removed == nil && len(s.LifeSituationIDs) > 0 && s.ID < serviceID(firstAdminService):
			removed = s
		}
	}
	require.NotNil(t, energetic)
	require.NotNil(t, unassigned)
	require.NotNil(t, edited)
	require.NotNil(t, removed)

	st := mustOpen(t)
	_, err = Load(ctx, st, testLogger(t))
	require.NoError(t, err)
	rev := st.Revision()
	u, err := UpgradeLifeSituations(ctx, st, testLogger(t))
	require.NoError(t, err)
	assert.Equal(t, SituationUpgrade{}, u, "a store loaded with the current demo is current")
	assert.Equal(t, rev, st.Revision())

	makeOlderStore(t, st, []string{unassigned.ID})

	// The editorial office renames a situation, changes one service's
	// situations, removes another's, and creates a situation of its own
	// that takes the ID the demo's energy situation has in this release.
	editor := catalog.Write{Actor: "editor", Reason: "editorial office"}
	require.NoError(t, st.Update(ctx, func(tx *catalog.Tx) error {
		birth, err := tx.LifeSituation(situationID(2))
		if err != nil {
			return err
		}
		birth.Name = i18n.Bilingual("Ein Baby kommt", "A baby is coming")
		if _, err := tx.Apply(catalog.PutLifeSituation{LifeSituation: *birth, ExpectedRevision: catalog.Expect(birth.Revision)}, editor); err != nil {
			return err
		}
		for _, e := range []struct {
			id         string
			situations []string
		}{{edited.ID, []string{situationID(1)}}, {removed.ID, []string{}}} {
			s, err := tx.Service(e.id)
			if err != nil {
				return err
			}
			if _, err := tx.Apply(catalog.SetServiceLifeSituations{ID: e.id, LifeSituationIDs: e.situations, ExpectedRevision: s.Revision}, editor); err != nil {
				return err
			}
		}
		return tx.Put(&catalog.LifeSituation{Meta: catalog.Meta{ID: energy}, Name: i18n.German("Ehrenamt im Dorf"),
			Addressee: catalog.AddresseeCitizen}, editor)
	}))
	view(t, st, func(tx *catalog.Tx) {
		assert.Empty(t, tx.ServicesInSituation(energy), "the older store has no service in the newer situations")
		s, err := tx.Service(unassigned.ID)
		require.NoError(t, err)
		assert.Empty(t, s.LifeSituationIDs)
	})

	rev = st.Revision()
	u, err = UpgradeLifeSituations(ctx, st, testLogger(t))
	require.NoError(t, err)
	assert.Equal(t, len(c.situationRecs)-olderSituations, u.SituationsAdded)
	assert.Greater(t, u.ServicesAssigned, 1)
	assert.Equal(t, 2, u.ServicesKept, "the two services the editor changed")
	assert.Greater(t, st.Revision(), rev)

	var energyID string
	view(t, st, func(tx *catalog.Tx) {
		all, err := tx.LifeSituations()
		require.NoError(t, err)
		assert.Len(t, all, len(c.situationRecs)+1, "the demo's situations and the editor's")
		for _, l := range all {
			if l.Name[i18n.DE].Value == c.situations[33].Name[i18n.DE].Value {
				energyID = l.ID
				assert.Equal(t, "demo", l.UpdatedBy)
			}
		}
		require.NotEmpty(t, energyID, "the energy situation was added")
		assert.NotEqual(t, energy, energyID, "its ID was the editor's")
		mine, err := tx.LifeSituation(energy)
		require.NoError(t, err)
		assert.Equal(t, "Ehrenamt im Dorf", mine.Name[i18n.DE].Value, "the editor's situation stays")
		birth, err := tx.LifeSituation(situationID(2))
		require.NoError(t, err)
		assert.Equal(t, "Ein Baby kommt", birth.Name[i18n.DE].Value, "the editor's name stays")

		s, err := tx.Service(energetic.ID)
		require.NoError(t, err)
		assert.Contains(t, s.LifeSituationIDs, energyID)
		assert.Contains(t, tx.ServicesInSituation(energyID), energetic.ID)
		assert.Empty(t, tx.ServicesInSituation(energy), "the editor's situation got no service")
		s, err = tx.Service(unassigned.ID)
		require.NoError(t, err)
		assert.Equal(t, unassigned.LifeSituationIDs, s.LifeSituationIDs, "a service without situations gets the demo's")
		s, err = tx.Service(edited.ID)
		require.NoError(t, err)
		assert.Equal(t, []string{situationID(1)}, s.LifeSituationIDs, "the editor's assignment stays")
		assert.Equal(t, "editor", s.UpdatedBy)
		s, err = tx.Service(removed.ID)
		require.NoError(t, err)
		assert.Empty(t, s.LifeSituationIDs, "the editor's removal stays")

		assert.Equal(t, energyID, storeSituationIDs(tx)[energy], "dictionary entries added later name the store's ID")

		// Through the normal write path: the change log has a command.
		chs, err := tx.Changes(rev, 1000)
		require.NoError(t, err)
		var set int
		for _, ch := range chs {
			assert.Equal(t, "demo", ch.Actor)
			if ch.Command != nil && ch.Command.Name == "setServiceLifeSituations" {
				set++
			}
		}
		assert.Equal(t, u.ServicesAssigned, set)
	})

	// Idempotent: the next start reads the mark only; and even when the
	// mark's content fingerprint is stale, comparing again writes nothing.
	rev = st.Revision()
	u, err = UpgradeLifeSituations(ctx, st, testLogger(t))
	require.NoError(t, err)
	assert.Equal(t, SituationUpgrade{}, u)
	require.NoError(t, st.Update(ctx, func(tx *catalog.Tx) error {
		seed, ok := readSeed(tx)
		require.True(t, ok)
		seed.Content = "stale"
		return writeSeed(tx, seed)
	}))
	u, err = UpgradeLifeSituations(ctx, st, testLogger(t))
	require.NoError(t, err)
	assert.Zero(t, u.SituationsAdded+u.ServicesAssigned)
	assert.Equal(t, rev, st.Revision())

	// An editor deletes one of the demo's new situations: it is not
	// written again.
	require.NoError(t, st.Update(ctx, func(tx *catalog.Tx) error {
		for _, id := range tx.ServicesInSituation(energyID) {
			s, err := tx.Service(id)
			if err != nil {
				return err
			}
			ids := slices.DeleteFunc(slices.Clone(s.LifeSituationIDs), func(x string) bool { return x == energyID })
			if _, err := tx.Apply(catalog.SetServiceLifeSituations{ID: id, LifeSituationIDs: ids, ExpectedRevision: s.Revision}, editor); err != nil {
				return err
			}
		}
		seed, _ := readSeed(tx)
		seed.Content = "stale"
		if err := writeSeed(tx, seed); err != nil {
			return err
		}
		return tx.Delete(catalog.KindLifeSituation, energyID, editor)
	}))
	rev = st.Revision()
	u, err = UpgradeLifeSituations(ctx, st, testLogger(t))
	require.NoError(t, err)
	assert.Zero(t, u.SituationsAdded+u.ServicesAssigned)
	assert.Equal(t, rev, st.Revision())
	view(t, st, func(tx *catalog.Tx) { assert.False(t, tx.Exists(catalog.KindLifeSituation, energyID)) })
}
