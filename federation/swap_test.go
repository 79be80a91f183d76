package federation

import (
	"context"
	"testing"

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
