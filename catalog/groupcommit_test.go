package catalog_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/i18n"
)

// groupedOffices creates n offices and returns them with their revisions.
func groupedOffices(t *testing.T, st *catalog.Store, n int) []*catalog.Office {
	seedRegions(t, st)
	var out []*catalog.Office
	for i := range n {
		o := newOffice(fmt.Sprintf("Bürgerbüro %d", i), "066360003003", "Obermarkt 22")
		out = append(out, apply(t, st, catalog.CreateOffice{Office: *o}).Record.(*catalog.Office))
	}
	return out
}

func accessibilityEdit(o *catalog.Office, expected uint64, note string) catalog.UpdateOffice {
	return catalog.UpdateOffice{ID: o.ID, ExpectedRevision: expected,
		Patch: catalog.OfficePatch{Accessibility: catalog.Set(catalog.TextPatch{i18n.DE: {Value: note}})}}
}

// Edits that arrive while a commit runs share the next one, and each is
// logged, audited and visible as if it had committed alone.
func TestConcurrentEditsShareOneCommit(t *testing.T) {
	st := mustOpen(t)
	offices := groupedOffices(t, st, 8)
	before := st.Revision()
	auditBefore, err := st.Audit(ctx, 0, 1_000_000)
	require.NoError(t, err)

	commitsBefore := catalog.GroupCommits(st)
	waitQueued, release := catalog.HoldCommits(st)
	results := make([]*catalog.Result, len(offices))
	errs := make([]error, len(offices))
	var wg sync.WaitGroup
	for i, o := range offices {
		wg.Go(func() {
			results[i], errs[i] = st.Apply(ctx, stateEditor, accessibilityEdit(o, revOf(o), fmt.Sprintf("Rampe %d", i)), "test")
		})
	}
	waitQueued(len(offices))
	release()
	wg.Wait()

	for i := range offices {
		require.NoError(t, errs[i], "edit %d", i)
	}
	assert.Equal(t, commitsBefore+1, catalog.GroupCommits(st), "the eight queued edits committed in one transaction")
	assert.Equal(t, before+uint64(len(offices)), st.Revision())

	// Every edit has its own revision and change-log entry, in the order
	// of the revisions, and sees its own write.
	seen := map[uint64]string{}
	for i, res := range results {
		got := res.Record.(*catalog.Office)
		assert.Equal(t, fmt.Sprintf("Rampe %d", i), got.Accessibility[i18n.DE].Value)
		assert.Equal(t, res.Revision, revOf(got), "an edit's result names its own revision")
		seen[revOf(got)] = got.ID
	}
	require.NoError(t, st.View(ctx, func(tx *catalog.Tx) error {
		changes, err := tx.Changes(before, 100)
		require.NoError(t, err)
		require.Len(t, changes, len(offices))
		for _, c := range changes {
			assert.Equal(t, seen[c.Revision], c.ID, "change %d", c.Revision)
		}
		return nil
	}))
	audit, err := st.Audit(ctx, 0, 1_000_000)
	require.NoError(t, err)
	added := audit[len(auditBefore):]
	require.Len(t, added, len(offices), "one audit entry per edit")
	for _, e := range added {
		assert.Equal(t, "OK", e.Outcome)
		assert.Equal(t, seen[e.Revision], e.ID)
	}
}

// An edit that fails in a group gets its own error; the others commit.
func TestFailingEditDoesNotFailItsGroup(t *testing.T) {
	st := mustOpen(t)
	offices := groupedOffices(t, st, 6)
	waitQueued, release := catalog.HoldCommits(st)
	errs := make([]error, len(offices))
	var wg sync.WaitGroup
	for i, o := range offices {
		expected := revOf(o)
		if i == 2 {
			expected-- // stale: somebody else's edit came first
		}
		wg.Go(func() {
			_, errs[i] = st.Apply(ctx, stateEditor, accessibilityEdit(o, expected, "Aufzug"), "test")
		})
	}
	waitQueued(len(offices))
	release()
	wg.Wait()
	for i := range offices {
		if i == 2 {
			assert.Equal(t, catalog.ECONFLICT, catalog.ErrorCode(errs[i]), "the stale edit is refused")
		} else {
			assert.NoError(t, errs[i], "edit %d", i)
		}
	}
	require.NoError(t, st.View(ctx, func(tx *catalog.Tx) error {
		for i, o := range offices {
			got, err := tx.Office(o.ID)
			require.NoError(t, err)
			if i == 2 {
				assert.Equal(t, revOf(o), revOf(got), "the refused edit changed nothing")
			} else {
				assert.Equal(t, "Aufzug", got.Accessibility[i18n.DE].Value)
			}
		}
		return nil
	}))
}

// A panic in one edit surfaces in its own caller only.
func TestPanickingEditPanicsInItsOwnCaller(t *testing.T) {
	st := mustOpen(t)
	offices := groupedOffices(t, st, 3)
	waitQueued, release := catalog.HoldCommits(st)
	errs := make([]error, len(offices))
	var recovered any
	var wg sync.WaitGroup
	for i, o := range offices {
		wg.Go(func() {
			if i == 1 {
				defer func() { recovered = recover() }()
				_ = st.Mutate(context.Background(), stateEditor, catalog.Mutation{Op: "broken"}, func(*catalog.Tx) error { panic("broken edit") })
				return
			}
			_, errs[i] = st.Apply(ctx, stateEditor, accessibilityEdit(o, revOf(o), "Aufzug"), "test")
		})
	}
	waitQueued(len(offices))
	release()
	wg.Wait()
	assert.Equal(t, "broken edit", recovered)
	assert.NoError(t, errs[0])
	assert.NoError(t, errs[2])
}

// An edit whose caller gave up while it waited for a commit is not
// committed with the group: the caller gets its context's error.
func TestEditOfACallerWhoGaveUpIsNotCommitted(t *testing.T) {
	st := mustOpen(t)
	offices := groupedOffices(t, st, 3)
	waitQueued, release := catalog.HoldCommits(st)
	gaveUp, giveUp := context.WithCancel(ctx)
	errs := make([]error, len(offices))
	var wg sync.WaitGroup
	for i, o := range offices {
		c := ctx
		if i == 0 {
			c = gaveUp
		}
		wg.Go(func() {
			_, errs[i] = st.Apply(c, stateEditor, accessibilityEdit(o, revOf(o), "Aufzug"), "test")
		})
	}
	waitQueued(len(offices))
	giveUp()
	release()
	wg.Wait()
	assert.ErrorIs(t, errs[0], context.Canceled)
	assert.NoError(t, errs[1])
	assert.NoError(t, errs[2])
	require.NoError(t, st.View(ctx, func(tx *catalog.Tx) error {
		got, err := tx.Office(offices[0].ID)
		require.NoError(t, err)
		assert.Equal(t, revOf(offices[0]), revOf(got), "the abandoned edit changed nothing")
		return nil
	}))
}
