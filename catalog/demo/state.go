package demo

import (
	"encoding/json"

	"github.com/leistungsfinder/leistungsfinder/catalog"
)

// Portal is the portal whose catalogue the demo is: its IDs are Hessen's
// (HE.LB.…, HE.OE.…). Served under another portal code it would publish
// Hessen's records as that portal's, and every peer would quarantine them.
const Portal = "HE"

// markName is the store mark (catalog.Tx.SetMark) of a complete demo load.
const markName = "demo"

// completion is the mark's value.
type completion struct {
	Portal  string  `json:"portal"`
	Summary Summary `json:"summary"`
}

// State is what a store holds of the demo catalogue.
type State struct {
	// Complete: a load finished and marked itself complete.
	Complete bool
	// Incomplete: the change log shows the demo loader's writes but no
	// completion mark, as an interrupted load of an earlier version left
	// it; the next Load completes it.
	Incomplete bool
	// Portal is the demo's portal when either is set.
	Portal string
	// Summary is what the complete load wrote.
	Summary Summary
}

// Loaded reports whether the store holds the demo, complete or not.
func (s State) Loaded() bool { return s.Complete || s.Incomplete }

// Inspect reports the demo state of the store.
func Inspect(tx *catalog.Tx) State {
	if v := tx.Mark(markName); v != nil {
		var c completion
		if json.Unmarshal(v, &c) == nil {
			return State{Complete: true, Portal: c.Portal, Summary: c.Summary}
		}
	}
	first, err := tx.Changes(tx.FirstRevision()-1, 1)
	if err == nil && len(first) == 1 && first[0].Actor == "demo" {
		return State{Incomplete: true, Portal: Portal}
	}
	return State{}
}

// upgradable tells whether an upgrade (UpgradeLifeSituations,
// AddNewDictionaryEntries) may bring the store up to the current demo: it
// holds the complete demo, served as the demo's portal.
func (s State) upgradable(tx *catalog.Tx) bool {
	return s.Complete && s.Portal == Portal && tx.Portal() == Portal
}

// loadable tells whether Load may write into a store in this state.
func (s State) loadable(tx *catalog.Tx) error {
	switch storePortal := tx.Portal(); {
	case storePortal != Portal:
		return catalog.Errorf(catalog.EFORBIDDEN, "the demo catalogue is portal %s's (its IDs are %s.…); it cannot be loaded into portal %s's store", Portal, Portal, storePortal)
	case s.Complete:
		return catalog.Errorf(catalog.ECONFLICT, "the demo catalogue is loaded already")
	case s.Incomplete:
		return nil
	}
	if n := tx.Count(catalog.KindService); n > 0 {
		return errNotEmpty(n)
	}
	return nil
}
