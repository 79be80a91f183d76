package demo

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"log/slog"
	"slices"
	"sort"
	"time"

	"github.com/leistungsfinder/leistungsfinder/catalog"
)

// This file brings a store that an earlier version loaded up to the demo's
// current life-situation taxonomy and assignments (content/life-situations.json):
// a store loaded before the taxonomy existed has none, one loaded with an
// older file lacks the situations added since and the services its newer
// name rules assign.

// seedMarkName is the store mark (catalog.Tx.SetMark) that records what the
// demo seeded of the taxonomy, so that an upgrade can tell an editor's
// change from the demo's own state.
const seedMarkName = "demo-life-situations"

// situationSeed is the value of the seed mark.
type situationSeed struct {
	// Content is the fingerprint of the demo content the seed was brought
	// up to (contentFingerprint): when it is current, an upgrade has
	// nothing to do and does not read the services.
	Content string `json:"content"`
	// IDs are the store IDs of the demo's situations by key
	// (life-situations.json), as the demo wrote them. A key without an ID
	// was never written; a key whose situation is gone was deleted by an
	// editor and is not written again.
	IDs map[string]string `json:"ids"`
	// Services are the life situations (store IDs) the demo last gave each
	// service. A service whose situations differ from these was changed by
	// an editor and is left as it is.
	Services map[string][]string `json:"services"`
	// noneSeeded: a store whose load wrote no situations (a release
	// before the taxonomy), judged without a seed mark: the demo gave no
	// service any situation, whatever its history still tells.
	noneSeeded bool
}

// SituationUpgrade counts what UpgradeLifeSituations did.
type SituationUpgrade struct {
	// SituationsAdded: situations of the taxonomy the store lacked.
	SituationsAdded int
	// ServicesAssigned: services whose life situations were set to the
	// demo's current assignment.
	ServicesAssigned int
	// SituationsKept: situations an editor deleted, not written again, and
	// new ones whose parent an editor deleted.
	SituationsKept int
	// ServicesKept: services whose life situations an editor changed (or
	// whose earlier state cannot be told any more), left as they are.
	ServicesKept int
}

func (u SituationUpgrade) changed() bool { return u.SituationsAdded+u.ServicesAssigned > 0 }

// contentFingerprint hashes the embedded files that decide the taxonomy and
// the assignments: the hand-written content and the federal services,
// whose names the rules read.
// Upgrade brings a store that an earlier version loaded with the demo up to
// the current demo content, at every start: the life situations and
// assignments (UpgradeLifeSituations), then the search dictionary entries
// (AddNewDictionaryEntries), whose situations may only exist after the
// first.
func Upgrade(ctx context.Context, st *catalog.Store, log *slog.Logger) error {
	if _, err := UpgradeLifeSituations(ctx, st, log); err != nil {
		return err
	}
	_, err := AddNewDictionaryEntries(ctx, st, log)
	return err
}

func contentFingerprint() (string, error) {
	h := sha256.New()
	names, err := fs.Glob(files, "content/*.json")
	if err != nil {
		return "", err
	}
	names = append(names, "data/"+servicesFileName)
	sort.Strings(names)
	for _, n := range names {
		b, err := fs.ReadFile(files, n)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s\x00%d\x00", n, len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil)[:16]), nil
}

// readSeed reads the seed mark; ok is false for a store without one (loaded
// by a version before it, or not by the demo).
func readSeed(tx *catalog.Tx) (situationSeed, bool) {
	var s situationSeed
	v := tx.Mark(seedMarkName)
	if len(v) == 0 || json.Unmarshal(v, &s) != nil {
		return situationSeed{}, false
	}
	return s, true
}

func writeSeed(tx *catalog.Tx, s situationSeed) error {
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return tx.SetMark(seedMarkName, b)
}

// newSeed is the seed mark of a complete load of c.
func (c *catalogue) newSeed(fingerprint string) situationSeed {
	s := situationSeed{Content: fingerprint, IDs: map[string]string{}, Services: map[string][]string{}}
	for i, r := range c.situationRecs {
		s.IDs[r.Key] = situationID(i + 1)
	}
	for _, svc := range c.services {
		if len(svc.LifeSituationIDs) > 0 {
			s.Services[svc.ID] = slices.Clone(svc.LifeSituationIDs)
		}
	}
	return s
}

// storeSituationIDs maps the demo's situation IDs (situationID) to the IDs
// the store gave them; they differ where an upgrade found the demo's ID
// taken by an editor's situation.
func storeSituationIDs(tx *catalog.Tx) map[string]string {
	out := map[string]string{}
	seed, ok := readSeed(tx)
	if !ok {
		return out
	}
	recs, _, _, err := readSituations()
	if err != nil {
		return out
	}
	return seed.storeIDs(recs)
}

// storeIDs maps the demo's situation IDs (situationID, in the order of
// recs) to the store IDs the seed records for them.
func (s situationSeed) storeIDs(recs []situationRec) map[string]string {
	out := map[string]string{}
	for i, r := range recs {
		if id := s.IDs[r.Key]; id != "" {
			out[situationID(i+1)] = id
		}
	}
	return out
}

// UpgradeLifeSituations brings a store that holds the complete demo up to
// the demo's current life-situation taxonomy and assignments, as actor
// "demo" through the catalogue's commands, so that the change log, the
// search index and the federation feed follow:
//
//   - a situation the store lacks is added, unless the demo wrote it
//     before and an editor deleted it; when an editor's situation holds the
//     demo's ID, the demo's gets a new one;
//   - a service gets the demo's current situations when it still has the
//     ones the demo last gave it (none, for a store loaded before the
//     taxonomy existed); one whose situations an editor changed or removed
//     keeps them;
//   - a situation that is there is never rewritten: an editor may have
//     renamed it.
//
// What the demo seeded is recorded in a store mark (seedMarkName). A store
// loaded by a version before the mark existed is judged by its history:
// the situations the completion mark counts were the demo's, and a
// service's seeded situations are those of its last version the demo wrote.
// Where the history was compacted and cannot tell, a service with
// situations is kept.
//
// It is idempotent: once the store is current it reads only the mark. A
// store without the complete demo, or of another portal, is left alone.
// It logs a summary line when it had to compare.
func UpgradeLifeSituations(ctx context.Context, st *catalog.Store, log *slog.Logger) (SituationUpgrade, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	start := time.Now()
	fingerprint, err := contentFingerprint()
	if err != nil {
		return SituationUpgrade{}, fmt.Errorf("demo: %w", err)
	}
	current := false
	err = st.View(ctx, func(tx *catalog.Tx) error {
		state := Inspect(tx)
		seed, _ := readSeed(tx)
		current = !state.upgradable(tx) || seed.Content == fingerprint
		return nil
	})
	if err != nil || current {
		return SituationUpgrade{}, err
	}
	c, err := build(slog.New(slog.DiscardHandler))
	if err != nil {
		return SituationUpgrade{}, fmt.Errorf("demo: %w", err)
	}
	var u SituationUpgrade
	err = st.Update(ctx, func(tx *catalog.Tx) error {
		u = SituationUpgrade{}
		state := Inspect(tx)
		if !state.upgradable(tx) {
			return nil
		}
		seed, ok := readSeed(tx)
		if !ok {
			seed = bootstrapSeed(c.situationRecs, state.Summary.LifeSituations)
		}
		w := catalog.Write{Actor: "demo", Reason: "demo catalogue: life situations and assignments added since the store was loaded"}
		if err := upgradeTaxonomy(tx, w, c, &seed, &u); err != nil {
			return err
		}
		if err := upgradeAssignments(ctx, tx, w, c, &seed, &u); err != nil {
			return err
		}
		seed.Content = fingerprint
		return writeSeed(tx, seed)
	})
	if err != nil {
		return SituationUpgrade{}, fmt.Errorf("demo: %w", err)
	}
	log.Info("demo: life situations brought up to date", "situationsAdded", u.SituationsAdded,
		"servicesAssigned", u.ServicesAssigned, "situationsKeptAsEditorsLeftThem", u.SituationsKept,
		"servicesKeptAsEditorsLeftThem", u.ServicesKept, "revision", st.Revision(), "took", time.Since(start))
	return u, nil
}

// bootstrapSeed reconstructs what the demo seeded in a store loaded before
// the seed mark existed: loaded situations counts the situations its load
// wrote (IDs in file order; the file is only appended to).
func bootstrapSeed(recs []situationRec, loaded int) situationSeed {
	// Services stays nil, which means "ask the history": decided one by
	// one in upgradeAssignments.
	seed := situationSeed{IDs: map[string]string{}, noneSeeded: loaded == 0}
	for i, r := range recs {
		if i < loaded {
			seed.IDs[r.Key] = situationID(i + 1)
		}
	}
	return seed
}

// upgradeTaxonomy adds the situations the store lacks, parents first (the
// file lists them so).
func upgradeTaxonomy(tx *catalog.Tx, w catalog.Write, c *catalogue, seed *situationSeed, u *SituationUpgrade) error {
	for i, r := range c.situationRecs {
		if id, seeded := seed.IDs[r.Key]; seeded {
			if !tx.Exists(catalog.KindLifeSituation, id) {
				u.SituationsKept++ // an editor deleted it
			}
			continue
		}
		l := *c.situations[i]
		if l.ParentID != "" {
			parentKey := r.Parent
			pid, ok := seed.IDs[parentKey]
			if !ok || !tx.Exists(catalog.KindLifeSituation, pid) {
				u.SituationsKept++ // its parent was deleted by an editor
				continue
			}
			l.ParentID = pid
		}
		wr := w
		if tx.Exists(catalog.KindLifeSituation, l.ID) {
			l.ID = "" // an editor's situation has the demo's ID: a new one
		} else {
			wr.Expected = catalog.Expect(0)
		}
		if err := tx.Put(&l, wr); err != nil {
			return fmt.Errorf("life situation %s: %w", r.Key, err)
		}
		seed.IDs[r.Key] = l.ID
		u.SituationsAdded++
	}
	return nil
}

// upgradeAssignments gives every demo service that still has the
// situations the demo last gave it the demo's current ones.
func upgradeAssignments(ctx context.Context, tx *catalog.Tx, w catalog.Write, c *catalogue, seed *situationSeed, u *SituationUpgrade) error {
	// toStore maps the demo's situation IDs to the store's; a situation
	// that is not in the store (deleted by an editor) is left out.
	toStore := seed.storeIDs(c.situationRecs)
	for demoID, id := range toStore {
		if !tx.Exists(catalog.KindLifeSituation, id) {
			delete(toStore, demoID)
		}
	}
	fromHistory := seed.Services == nil
	if fromHistory {
		seed.Services = map[string][]string{}
	}
	for n, svc := range c.services {
		if n%1000 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		cur, err := tx.Service(svc.ID)
		if catalog.ErrorCode(err) == catalog.ENOTFOUND {
			continue // deleted by an editor
		}
		if err != nil {
			return err
		}
		want := []string{}
		for _, id := range svc.LifeSituationIDs {
			if sid, ok := toStore[id]; ok {
				want = append(want, sid)
			}
		}
		seeded, known := seed.Services[svc.ID], true
		switch {
		case seed.noneSeeded:
			seeded = nil
		case fromHistory:
			seeded, known = seededInHistory(tx, svc.ID)
		}
		switch {
		case !known || !sameSet(cur.LifeSituationIDs, seeded):
			u.ServicesKept++
			if known && len(seeded) > 0 {
				seed.Services[svc.ID] = seeded
			}
			continue
		case !sameSet(cur.LifeSituationIDs, want):
			cmd := catalog.SetServiceLifeSituations{ID: svc.ID, LifeSituationIDs: want, ExpectedRevision: cur.Revision}
			if _, err := tx.Apply(cmd, w); err != nil {
				return fmt.Errorf("service %s: %w", svc.ID, err)
			}
			u.ServicesAssigned++
		}
		if len(want) > 0 {
			seed.Services[svc.ID] = want
		} else {
			delete(seed.Services, svc.ID)
		}
	}
	return nil
}

// seededInHistory returns the life situations of the last version of a
// service that the demo wrote; known is false when the history no longer
// has one (compacted).
func seededInHistory(tx *catalog.Tx, id string) (situations []string, known bool) {
	vs, err := tx.History(catalog.KindService, id)
	if err != nil {
		return nil, false
	}
	for i := len(vs) - 1; i >= 0; i-- {
		if s, ok := vs[i].Record.(*catalog.Service); ok && s.UpdatedBy == "demo" {
			return s.LifeSituationIDs, true
		}
	}
	return nil, false
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(x, y)
}
