package federation

import (
	"context"
	"testing"
	"time"

	"github.com/leistungsfinder/leistungsfinder/catalog"
)

// TestResyncSwapsInBatchesAndResumes resyncs a mirror whose snapshot is
// applied in batches of a few records, stops the swap after its second
// batch as a crash would, and syncs again: the swap resumes where it
// stopped, the mirror ends up equal to the publisher (records the
// publisher deleted meanwhile are deleted here too), and it counts as one
// resync.
func TestResyncSwapsInBatchesAndResumes(t *testing.T) {
	he := newInstance(t, "HE", "060000000000")
	by := newInstance(t, "BY", "090000000000")
	svcs, offices := he.seed(t, 10)
	opt := fastOptions()
	opt.SwapBatch = 7
	p := newTestPuller(t, by, he, opt)
	if err := p.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	// The publisher changes, deletes and compacts: the mirror must resync.
	changeAndCompact(t, he, svcs, offices)

	stopCtx, stop := context.WithCancel(ctx)
	batches := 0
	p.afterSwapBatch = func() {
		if batches++; batches == 2 {
			stop()
		}
	}
	if err := p.Sync(stopCtx); err == nil {
		t.Fatal("the interrupted resync reported success")
	}
	if batches != 2 {
		t.Fatalf("%d batches before the stop, want 2", batches)
	}
	if d := mirrors(t, by, he); d == "" {
		t.Fatal("the mirror already equals the publisher after two batches of seven: the test proves nothing")
	}
	resumed := 0
	p.afterSwapBatch = func() { resumed++ }
	if err := p.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	// A mirror that resyncs the same snapshot from scratch needs two
	// batches more.
	fresh := newInstance(t, "BUND", "991000000000")
	pf := newTestPuller(t, fresh, he, opt)
	full := 0
	pf.afterSwapBatch = func() { full++ }
	if err := pf.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if resumed != full-2 {
		t.Errorf("the resumed swap took %d batches, a whole one %d: it did not resume", resumed, full)
	}
	if d := mirrors(t, by, he); d != "" {
		t.Fatal(d)
	}
	if st := p.Status(); st.Resyncs != 1 || st.Quarantined != 0 {
		t.Errorf("status after the resumed swap: %+v", st)
	}
	var left int
	by.st.View(ctx, func(tx *catalog.Tx) error {
		left = countPrefix(tx, keyStaging+"HE/") + countPrefix(tx, keySnapshot+"HE")
		return nil
	})
	if left != 0 {
		t.Errorf("%d staging keys left after the swap", left)
	}
}

// TestFirstResyncWritesIndexesLast resyncs mirrors that hold nothing of
// the peer: the swap writes the records first, their index entries
// afterwards (catalog.Write.DeferIndexes). A mirror stopped after the last
// batch, before the entries, finishes them on the next sync; the stores'
// Check (when the test ends) compares every index with the records.
func TestFirstResyncWritesIndexesLast(t *testing.T) {
	he := newInstance(t, "HE", "060000000000")
	svcs, offices := he.seed(t, 10)
	changeAndCompact(t, he, svcs, offices) // an empty mirror must resync
	opt := fastOptions()
	opt.SwapBatch = 7

	deferred := func(in *instance) (d bool) {
		in.st.View(ctx, func(tx *catalog.Tx) error { d = tx.IndexesDeferred("HE"); return nil })
		return d
	}
	fresh := newInstance(t, "BUND", "991000000000")
	pf := newTestPuller(t, fresh, he, opt)
	full, deferredMeanwhile := 0, false
	pf.afterSwapBatch = func() {
		full++
		deferredMeanwhile = deferredMeanwhile || deferred(fresh)
	}
	if err := pf.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if !deferredMeanwhile {
		t.Error("the first resync into an empty mirror wrote index entries with its records")
	}
	if deferred(fresh) {
		t.Error("index entries still deferred after the resync")
	}
	if d := mirrors(t, fresh, he); d != "" {
		t.Fatal(d)
	}

	by := newInstance(t, "BY", "090000000000")
	p := newTestPuller(t, by, he, opt)
	stopCtx, stop := context.WithCancel(ctx)
	batches := 0
	p.afterSwapBatch = func() {
		if batches++; batches == full {
			stop() // every record is in; the index entries are not
		}
	}
	if err := p.Sync(stopCtx); err == nil {
		t.Fatal("the interrupted resync reported success")
	}
	if !deferred(by) {
		t.Fatal("the mirror stopped before its index entries does not say they are missing")
	}
	p.afterSwapBatch = nil
	if err := p.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if deferred(by) {
		t.Error("index entries still deferred after the resumed resync")
	}
	if d := mirrors(t, by, he); d != "" {
		t.Fatal(d)
	}
	var local []string
	by.st.View(ctx, func(tx *catalog.Tx) error {
		ls, err := tx.LocalService(svcs[0].LeikaKeys[0], place["HE"], time.Now())
		if err != nil {
			t.Errorf("the mirrored service for its place: %v", err)
			return nil
		}
		for _, o := range ls.Offices {
			local = append(local, o.ID)
		}
		return nil
	})
	if len(local) != 1 || local[0] != offices[0].ID {
		t.Errorf("offices found by place in the mirror: %v, want [%s]", local, offices[0].ID)
	}
	if st := p.Status(); st.Resyncs != 1 || st.Quarantined != 0 {
		t.Errorf("status after the resumed resync: %+v", st)
	}
}

// A peer removed while its first resync had written records but not yet
// their index entries keeps those records (without purge) findable like
// any other: the removal writes the entries.
func TestPeerRemovedDuringFirstResyncKeepsIndexedRecords(t *testing.T) {
	he := newInstance(t, "HE", "060000000000")
	svcs, offices := he.seed(t, 10)
	changeAndCompact(t, he, svcs, offices)
	opt := fastOptions()
	opt.SwapBatch = 7
	by := newInstance(t, "BY", "090000000000")
	p := newTestPuller(t, by, he, opt)
	deferred := func() (d bool) {
		by.st.View(ctx, func(tx *catalog.Tx) error { d = tx.IndexesDeferred("HE"); return nil })
		return d
	}
	stopCtx, stop := context.WithCancel(ctx)
	p.afterSwapBatch = func() {
		if deferred() {
			stop()
		}
	}
	if err := p.Sync(stopCtx); err == nil {
		t.Fatal("the interrupted resync reported success")
	}
	if !deferred() {
		t.Fatal("the resync stopped before writing records without index entries: the test proves nothing")
	}
	if err := RemovePeer(ctx, by.st, "HE", false); err != nil {
		t.Fatal(err)
	}
	if deferred() {
		t.Error("index entries still missing after the peer's removal")
	}
	if len(by.recordsOf(t, "HE")) == 0 {
		t.Error("the removal without purge deleted the mirrored records")
	}
}
