package federation

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/catalog/catalogtest"
	"github.com/leistungsfinder/leistungsfinder/federation/xzufi"
)

// xzufiSource is a publisher of XZuFi files: a store of HE's records,
// exported in small files, served from the directory last exported on a
// loopback file server.
type xzufiSource struct {
	he *instance
	mu sync.Mutex
	// dir is what the server serves.
	dir string
	srv *httptest.Server
}

// newXZuFiSource writes 20 services, 200 offices and n responsibilities
// and serves their export in files of 20 objects.
func newXZuFiSource(t *testing.T, n int) *xzufiSource {
	t.Helper()
	_, _, st := exportMany(t, n)
	src := &xzufiSource{he: &instance{portal: "HE", st: st}}
	src.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		src.mu.Lock()
		dir := src.dir
		src.mu.Unlock()
		http.FileServer(http.Dir(dir)).ServeHTTP(w, r)
	}))
	t.Cleanup(src.srv.Close)
	src.export(t)
	return src
}

// export exports the store's records and serves them.
func (s *xzufiSource) export(t *testing.T) *xzufi.Manifest {
	t.Helper()
	dir := t.TempDir()
	m, err := xzufi.Export(ctx, s.he.st, dir, xzufi.ExportOptions{MaxObjects: 20, MaxShrink: 1})
	if err != nil {
		t.Fatal(err)
	}
	s.serve(dir)
	return m
}

func (s *xzufiSource) serve(dir string) {
	s.mu.Lock()
	s.dir = dir
	s.mu.Unlock()
}

// mirrorOf configures c to mirror the source with batches of batch items,
// whatever the snapshot's size (AtomicItems -1), and counts the batches.
func (s *xzufiSource) mirrorOf(t *testing.T, c *instance, batch int) (*Puller, *int) {
	t.Helper()
	p := xzufiPeer(t, c, "HE", s.srv.URL, PullerOptions{SwapBatch: batch, AtomicItems: -1})
	n := new(int)
	p.afterSwapBatch = func() { *n++ }
	return p, n
}

// progressOf returns the stored progress of an XZuFi apply of peer HE.
func progressOf(t *testing.T, c *instance) *xzufiProgress {
	t.Helper()
	var prog *xzufiProgress
	err := c.st.View(ctx, func(tx *catalog.Tx) error {
		var err error
		prog, err = loadXZuFiProgress(tx, "HE")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return prog
}

// TestXZuFiMirrorAppliesInBatches mirrors 3,220 records in 12 files with
// batches of 250 items: every record arrives, the apply took a
// transaction per batch (the mirror held part of the snapshot after the
// first), and nothing of the apply's progress is left behind.
func TestXZuFiMirrorAppliesInBatches(t *testing.T) {
	src := newXZuFiSource(t, 3000)
	want := src.he.recordsOf(t, "HE")
	by := newInstance(t, "BY", "090000000000")
	p, batches := src.mirrorOf(t, by, 250)
	afterFirst := -1
	p.afterSwapBatch = func() {
		if *batches++; *batches == 1 {
			afterFirst = count(t, by, "HE")
		}
	}
	if err := p.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	sameRecords(t, want, by.recordsOf(t, "HE"))
	// 3,220 items in batches of 250 are 13 transactions, and one for the
	// deletions (none).
	if *batches != 14 {
		t.Errorf("the pull took %d batches, want 14 (13 of 250 items and the deletions)", *batches)
	}
	if afterFirst < 200 || afterFirst > 250 {
		t.Errorf("after the first batch the mirror held %d records; want the batch's (200 to 250)", afterFirst)
	}
	if prog := progressOf(t, by); prog != nil {
		t.Errorf("progress left after the pull: %+v", prog)
	}
	if st := p.Status(); st.Applied != int64(len(want)) || st.Degraded != "" {
		t.Errorf("status %+v; want %d applied", st, len(want))
	}
}

// TestXZuFiMirrorResumes changes a mirrored publisher (1,000
// responsibilities gone, 1,000 new, a service changed), stops the pull
// after three batches as a crash would, lets an index shrunk by half be
// refused in between, and pulls again with a new puller: it resumes after
// the third batch and ends with exactly the publisher's records; nothing
// was deleted before every item had been applied.
func TestXZuFiMirrorResumes(t *testing.T) {
	src := newXZuFiSource(t, 3000)
	by := newInstance(t, "BY", "090000000000")
	p, _ := src.mirrorOf(t, by, 250)
	if err := p.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	// A twin mirror pulls the change uninterrupted, to count its batches.
	twin := newInstance(t, "BUND", "991000000000")
	pt, twinBatches := src.mirrorOf(t, twin, 250)
	if err := pt.Sync(ctx); err != nil {
		t.Fatal(err)
	}

	gone := func(i int) string { return fmt.Sprintf("HE.ZS.%010d", 100+i) }
	err := src.he.st.Update(ctx, func(tx *catalog.Tx) error {
		w := catalog.Write{Actor: "editor"}
		for i := range 1000 {
			if err := tx.Delete(catalog.KindResponsibility, gone(i), w); err != nil {
				return err
			}
			err := tx.Put(&catalog.Responsibility{Meta: catalog.Meta{ID: fmt.Sprintf("HE.ZS.%010d", 900_000+i)},
				LeikaKey: fmt.Sprintf("9901%010d", i%20), RegionKey: catalogtest.Kassel, OfficeID: fmt.Sprintf("HE.OE.%010d", 100+i%200),
				Role: catalog.RoleResponsible}, w)
			if err != nil {
				return err
			}
		}
		var s *catalog.Service
		tx.Each(catalog.KindService, func(r catalog.Record) (bool, error) { s = r.(*catalog.Service); return false, nil })
		s.Fees[0].Amount = 4200
		return tx.Put(s, w)
	})
	if err != nil {
		t.Fatal(err)
	}
	m := src.export(t)
	changed := src.he.recordsOf(t, "HE")
	before := count(t, by, "HE")

	stopCtx, stop := context.WithCancel(ctx)
	batches := 0
	p.afterSwapBatch = func() {
		if batches++; batches == 3 {
			stop()
		}
	}
	if err := p.Sync(stopCtx); !errors.Is(err, context.Canceled) {
		t.Fatalf("the interrupted pull: %v, want context.Canceled", err)
	}
	prog := progressOf(t, by)
	if prog == nil || prog.Batches != 3 || prog.Applied || prog.Next == (itemPos{}) {
		t.Fatalf("progress after three batches: %+v; want three batches saved, the apply under way", prog)
	}
	// Nothing deleted yet: the 1,000 responsibilities the publisher
	// dropped are all still here, beside the new ones applied so far.
	mid := by.recordsOf(t, "HE")
	for i := range 1000 {
		if _, ok := mid[string(catalog.KindResponsibility)+"\t"+gone(i)]; !ok {
			t.Fatalf("%s deleted before the whole index was applied", gone(i))
		}
	}
	if len(mid) < before {
		t.Fatalf("the mirror shrank from %d to %d records during the apply", before, len(mid))
	}
	if d := diff(changed, mid); d == "" {
		t.Fatal("the mirror already equals the publisher after three batches: the test proves nothing")
	}

	// The index shrinks by half now: refused before anything is deleted,
	// the peer degraded, the progress of the interrupted apply kept.
	full := src.dir
	half := copyDir(t, full)
	names := m.Names()
	writeFile(t, filepath.Join(half, "index.txt"), strings.Join(names[:len(names)/2], "\n")+"\n")
	src.serve(half)
	p2, resumed := src.mirrorOf(t, by, 250) // a restart: a new puller on the same store
	err = p2.Sync(ctx)
	var r *refusal
	if !errors.As(err, &r) || !strings.Contains(err.Error(), "would delete") {
		t.Fatalf("pull of the halved index: %v; want a refusal saying it would delete", err)
	}
	if got := count(t, by, "HE"); got != len(mid) || *resumed != 0 {
		t.Errorf("after the refusal: %d records (want %d) in %d batches (want none)", got, len(mid), *resumed)
	}
	if st := p2.Status(); st.State != StateDegraded || !strings.Contains(st.Degraded, "would delete") {
		t.Errorf("status %s %q; want degraded saying it would delete", st.State, st.Degraded)
	}
	if kept := progressOf(t, by); kept == nil || !reflect.DeepEqual(kept, prog) {
		t.Errorf("progress after the refusal: %+v, want it kept as %+v", kept, prog)
	}

	// The whole index again: the apply resumes after its third batch.
	src.serve(full)
	if err := p2.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if err := pt.Sync(ctx); err != nil { // the twin, uninterrupted
		t.Fatal(err)
	}
	twinRun := *twinBatches - 14 // its first pull took 14
	if *resumed != twinRun-3 {
		t.Errorf("the resumed pull took %d batches, an uninterrupted one %d: it did not resume after the third", *resumed, twinRun)
	}
	sameRecords(t, changed, by.recordsOf(t, "HE"))
	sameRecords(t, changed, twin.recordsOf(t, "HE"))
	if prog := progressOf(t, by); prog != nil {
		t.Errorf("progress left after the pull: %+v", prog)
	}
	if st := p2.Status(); st.State != StateIdle || st.Degraded != "" {
		t.Errorf("status after the resumed pull: %s %q", st.State, st.Degraded)
	}
}

// TestXZuFiMirrorServicesLast serves an index that lists the services'
// file last, so that every responsibility comes before the service it
// names, and stops the first pull after two batches: the resumed pull
// ends with exactly the publisher's records, none quarantined (the
// responsibilities found their services' keys in the check pass rather
// than waiting in memory for them).
func TestXZuFiMirrorServicesLast(t *testing.T) {
	src := newXZuFiSource(t, 3000)
	want := src.he.recordsOf(t, "HE")
	names := readFile(t, filepath.Join(src.dir, "index.txt"))
	lines := strings.Fields(names)
	if !strings.Contains(lines[0], "leistungen") {
		t.Fatalf("the export's index does not start with the services: %v", lines)
	}
	reordered := copyDir(t, src.dir)
	writeFile(t, filepath.Join(reordered, "index.txt"), strings.Join(append(lines[1:], lines[0]), "\n")+"\n")
	src.serve(reordered)

	by := newInstance(t, "BY", "090000000000")
	p, batches := src.mirrorOf(t, by, 250)
	stopCtx, stop := context.WithCancel(ctx)
	p.afterSwapBatch = func() {
		if *batches++; *batches == 2 {
			stop()
		}
	}
	if err := p.Sync(stopCtx); !errors.Is(err, context.Canceled) {
		t.Fatalf("the interrupted pull: %v, want context.Canceled", err)
	}
	// Two batches of 250 items from the offices' files: their
	// responsibilities were written, not held back for their services.
	if n := kinds(by.recordsOf(t, "HE")); n[catalog.KindResponsibility] < 400 || n[catalog.KindService] != 0 {
		t.Fatalf("after two batches the mirror holds %v; want the responsibilities of those batches and no service yet", n)
	}
	p2, _ := src.mirrorOf(t, by, 250)
	if err := p2.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	sameRecords(t, want, by.recordsOf(t, "HE"))
	if st := p2.Status(); st.Quarantined != 0 || st.Degraded != "" {
		t.Errorf("status %+v; want nothing quarantined", st)
	}
}

// TestXZuFiImportServicesLast imports files whose index lists the services
// last, in batches of 100: every batch applies its responsibilities at
// once (their services' keys are known from the check pass) instead of
// holding them in memory until the services come, and all arrive.
func TestXZuFiImportServicesLast(t *testing.T) {
	src := newXZuFiSource(t, 3000)
	want := src.he.recordsOf(t, "HE")
	lines := strings.Fields(readFile(t, filepath.Join(src.dir, "index.txt")))
	dir := copyDir(t, src.dir)
	writeFile(t, filepath.Join(dir, "index.txt"), strings.Join(append(lines[1:], lines[0]), "\n")+"\n")
	dst := newInstance(t, "HE", "060000000000")
	var first *ImportSummary
	sum, err := importFiles(dst.st, dir, ImportOptions{BatchSize: 100, Progress: func(s ImportSummary) {
		if first == nil {
			first = &s
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if first == nil || first.Created != 100 {
		t.Errorf("the first batch: %v; want all of its 100 records created, none held back", first)
	}
	if sum.Created != len(want) || sum.Rejected != 0 {
		t.Errorf("import: %s; want %d created", sum, len(want))
	}
	sameRecords(t, want, dst.recordsOf(t, "HE"))
}

// TestXZuFiMirrorSmallSnapshotIsAtomic mirrors a publisher of 3,220
// records with the default options, under AtomicItems: its first pull
// and a later one (1,000 responsibilities gone, 500 new) each apply in one
// transaction. A reader counting the mirrored records meanwhile sees the
// old catalogue or the new one, never a part.
func TestXZuFiMirrorSmallSnapshotIsAtomic(t *testing.T) {
	src := newXZuFiSource(t, 3000)
	by := newInstance(t, "BY", "090000000000")
	if _, err := AddPeer(ctx, by.st, Peer{ID: "HE", URL: src.srv.URL, Kind: KindXZuFi, RegionKey: "060000000000"}); err != nil {
		t.Fatal(err)
	}
	p, err := NewPuller(by.st, "HE", PullerOptions{SwapBatch: 250})
	if err != nil {
		t.Fatal(err)
	}
	batches := 0
	p.afterSwapBatch = func() { batches++ }

	// pull syncs while a reader counts the mirrored records, and returns
	// the counts the reader saw.
	pull := func() map[int]bool {
		seen := map[int]bool{}
		done := make(chan struct{})
		read := make(chan struct{})
		go func() {
			defer close(read)
			for {
				seen[count(t, by, "HE")] = true
				select {
				case <-done:
					return
				default:
				}
			}
		}()
		err := p.Sync(ctx)
		close(done)
		<-read
		if err != nil {
			t.Fatal(err)
		}
		return seen
	}

	want := src.he.recordsOf(t, "HE")
	seen := pull()
	sameRecords(t, want, by.recordsOf(t, "HE"))
	for n := range seen {
		if n != 0 && n != len(want) {
			t.Errorf("a reader saw %d mirrored records during the first pull; want 0 or %d", n, len(want))
		}
	}

	err = src.he.st.Update(ctx, func(tx *catalog.Tx) error {
		w := catalog.Write{Actor: "editor"}
		for i := range 1000 {
			if err := tx.Delete(catalog.KindResponsibility, fmt.Sprintf("HE.ZS.%010d", 100+i), w); err != nil {
				return err
			}
		}
		for i := range 500 {
			err := tx.Put(&catalog.Responsibility{Meta: catalog.Meta{ID: fmt.Sprintf("HE.ZS.%010d", 900_000+i)},
				LeikaKey: fmt.Sprintf("9901%010d", i%20), RegionKey: catalogtest.Kassel, OfficeID: fmt.Sprintf("HE.OE.%010d", 100+i%200),
				Role: catalog.RoleResponsible}, w)
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	src.export(t)
	changed := src.he.recordsOf(t, "HE")
	seen = pull()
	sameRecords(t, changed, by.recordsOf(t, "HE"))
	for n := range seen {
		if n != len(want) && n != len(changed) {
			t.Errorf("a reader saw %d mirrored records during the second pull; want %d or %d", n, len(want), len(changed))
		}
	}
	if batches != 0 {
		t.Errorf("the pulls took %d batches; want each in one transaction", batches)
	}
	if prog := progressOf(t, by); prog != nil {
		t.Errorf("progress left after the pull: %+v", prog)
	}
}
