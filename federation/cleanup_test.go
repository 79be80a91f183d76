package federation

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/leistungsfinder/leistungsfinder/catalog"
)

// stagedLeft counts the peer's staged items and whether its snapshot key
// (a staging in progress) is there.
func stagedLeft(t testing.TB, in *instance, peer string) (items int, staging bool) {
	t.Helper()
	in.st.View(ctx, func(tx *catalog.Tx) error {
		items = countPrefix(tx, keyStaging+peer+"/")
		staging = tx.HasPeerData(keySnapshot + peer)
		return nil
	})
	return items, staging
}

// TestStagingCleanupBesideTheFeedCompletesAfterAnInterruption resyncs a
// mirror and interrupts the removal of the snapshot's staged items after
// its first batch, as a stop of the process would. A restarted puller
// (Run) follows the feed while the left-over items are still there (a
// write of the publisher arrives while the cleanup is held after its
// first batch), and then removes every staged item: none is left.
func TestStagingCleanupBesideTheFeedCompletesAfterAnInterruption(t *testing.T) {
	he := newInstance(t, "HE", "060000000000")
	by := newInstance(t, "BY", "090000000000")
	svcs, offices := he.seed(t, 10)
	opt := fastOptions()
	p := newTestPuller(t, by, he, opt)
	if err := p.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	changeAndCompact(t, he, svcs, offices)

	// The resync, with its cleanup stopped after one batch of 3.
	stopCtx, stop := context.WithCancel(ctx)
	p.cleanupBatch = 3
	batches := 0
	p.afterCleanupBatch = func(n int) {
		if n == 0 {
			return // the look before a new staging: nothing left yet
		}
		if batches++; batches == 1 {
			stop()
		}
	}
	if err := p.Sync(stopCtx); err == nil {
		t.Fatal("the interrupted cleanup reported success")
	}
	if d := mirrors(t, by, he); d != "" {
		t.Fatalf("the snapshot was not swapped in before the cleanup: %s", d)
	}
	left, staging := stagedLeft(t, by, "HE")
	if left < 2*p.cleanupBatch || staging {
		t.Fatalf("after one cleanup batch: %d staged items left, staging in progress %v; want at least %d left and no staging (the test proves nothing otherwise)",
			left, staging, 2*p.cleanupBatch)
	}
	if left, err := LeftoverStaging(ctx, by.st, "HE"); !left || err != nil {
		t.Fatalf("LeftoverStaging after the interrupted cleanup: %v, %v; want true", left, err)
	}

	// A restart: the cleanup resumes in the background, and the feed is
	// followed meanwhile.
	p2, err := NewPuller(by.st, "HE", opt)
	if err != nil {
		t.Fatal(err)
	}
	p2.cleanupBatch = 3
	release := make(chan struct{})
	first := true
	var cleaned events // a cleanup batch committed (it changes no revision: no Changed)
	p2.afterCleanupBatch = func(n int) {
		if first && n > 0 {
			first = false
			<-release // the cleanup waits here until the write below has arrived
		}
		cleaned.notify()
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- p2.Run(runCtx) }()
	defer func() { cancel(); <-done }()

	o := newOffice("HE Amt während der Bereinigung", place["HE"])
	he.put(t, o)
	eventually(t, 10*time.Second, func() string {
		var err error
		by.st.View(ctx, func(tx *catalog.Tx) error { _, err = tx.Get(catalog.KindOffice, o.ID); return nil })
		if err != nil {
			return fmt.Sprintf("the publisher's new office %s has not arrived while the cleanup is held", o.ID)
		}
		return ""
	}, commits(by)...)
	if n, _ := stagedLeft(t, by, "HE"); n == 0 {
		t.Fatal("no staged items left while the cleanup was held: the write did not arrive during the cleanup")
	}
	close(release)
	eventually(t, 10*time.Second, func() string {
		if n, _ := stagedLeft(t, by, "HE"); n > 0 {
			return fmt.Sprintf("%d staged items left", n)
		}
		return ""
	}, cleaned.C)
	if n, staging := stagedLeft(t, by, "HE"); n != 0 || staging {
		t.Errorf("after the cleanup: %d staged items, staging in progress %v", n, staging)
	}
	if left, err := LeftoverStaging(ctx, by.st, "HE"); left || err != nil {
		t.Errorf("LeftoverStaging after the cleanup: %v, %v; want false", left, err)
	}
	if d := mirrors(t, by, he); d != "" {
		t.Error(d)
	}
}

// TestStagingCleanupLeavesAStagingInProgress: staged items of a snapshot
// still being staged (its snapshot key is there) are not left over; the
// cleanup deletes none of them.
func TestStagingCleanupLeavesAStagingInProgress(t *testing.T) {
	he := newInstance(t, "HE", "060000000000")
	by := newInstance(t, "BY", "090000000000")
	p := newTestPuller(t, by, he, fastOptions())
	err := by.st.Update(ctx, func(tx *catalog.Tx) error {
		for i := range 4 {
			if err := tx.SetPeerData(recordKey(keyStaging, "HE", catalog.KindOffice, fmt.Sprintf("HE.OE.%d", i)), []byte(`{"revision":1}`)); err != nil {
				return err
			}
		}
		return tx.SetPeerData(keySnapshot+"HE", []byte(`{"next":"x"}`))
	})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := p.cleanStaging(ctx); err != nil || n != 0 {
		t.Fatalf("cleanup during a staging: removed %d, err %v", n, err)
	}
	if n, _ := stagedLeft(t, by, "HE"); n != 4 {
		t.Fatalf("%d of 4 staged items left", n)
	}
	if left, err := LeftoverStaging(ctx, by.st, "HE"); left || err != nil {
		t.Errorf("LeftoverStaging during a staging: %v, %v; want false (its items are not left over)", left, err)
	}
}
