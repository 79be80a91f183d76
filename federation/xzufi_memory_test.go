package federation

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/catalog/catalogtest"
	"github.com/leistungsfinder/leistungsfinder/federation/xzufi"
)

// memoryRecords is how many responsibilities the memory test exports and
// imports: enough that holding them (about a kilobyte each in a write
// transaction) stands far above what a bounded import holds.
const memoryRecords = 40_000

// exportMany writes 20 services, 200 offices and n responsibilities of
// this portal into a new store and exports them; it returns the
// directory, the number of records and the store.
func exportMany(t *testing.T, n int) (string, int, *catalog.Store) {
	t.Helper()
	src := openStore(t, "HE")
	catalogtest.PutRegions(t, src)
	places := []string{catalogtest.Kassel, catalogtest.Eschwege, catalogtest.Sooden, catalogtest.Darmstadt}
	var recs []catalog.Record
	for i := range 20 {
		recs = append(recs, newService(fmt.Sprintf("9901%010d", i), fmt.Sprintf("Leistung %d", i), catalogtest.Hessen))
	}
	for i := range 200 {
		o := newOffice(fmt.Sprintf("Amt %d", i), places[i%len(places)])
		o.ID = fmt.Sprintf("HE.OE.%010d", 100+i)
		recs = append(recs, o)
	}
	for i := range n {
		recs = append(recs, &catalog.Responsibility{Meta: catalog.Meta{ID: fmt.Sprintf("HE.ZS.%010d", 100+i)},
			LeikaKey: fmt.Sprintf("9901%010d", i%20), RegionKey: places[(i/20)%len(places)],
			OfficeID: fmt.Sprintf("HE.OE.%010d", 100+(i/20)%200), Role: catalog.RoleResponsible})
	}
	for len(recs) > 0 {
		batch := recs[:min(len(recs), 5000)]
		recs = recs[len(batch):]
		err := src.Update(ctx, func(tx *catalog.Tx) error {
			for _, r := range batch {
				if err := tx.Put(r, catalog.Write{Actor: "test"}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	m, err := xzufi.Export(ctx, src, dir, xzufi.ExportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if m.LeftOutCount > 0 {
		t.Fatalf("export left out %d: %v", m.LeftOutCount, m.LeftOut)
	}
	return dir, m.Counts.Objects() + m.Counts.Responsibilities, src
}

// TestXZuFiDryRunMemoryBounded imports 40,000 responsibilities dry and
// measures the heap: a dry run holds a batch at a time, as an import does,
// not the whole import in one transaction (which took about a kilobyte a
// record, and at 5 million responsibilities several gigabytes).
func TestXZuFiDryRunMemoryBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("writes, exports and imports 40,000 records; runs without -short")
	}
	dir, total, _ := exportMany(t, memoryRecords)
	dst := openStore(t, "HE")
	catalogtest.PutRegions(t, dst)
	rev := dst.Revision()

	// A low GC target keeps the heap in use close to what is live.
	defer debug.SetGCPercent(debug.SetGCPercent(10))
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapInuse
	var sum ImportSummary
	peak, err := peakHeap(func() error {
		var err error
		sum, err = importFiles(dst, dir, ImportOptions{DryRun: true, BatchSize: 1000})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Created != total || sum.Rejected != 0 || dst.Revision() != rev {
		t.Fatalf("dry run: %s (revision %d -> %d); want %d created, none rejected, nothing written", sum, rev, dst.Revision(), total)
	}
	grew := int64(peak) - int64(base)
	t.Logf("dry run of %d records: heap in use %d MB before, peak %d MB (%d bytes a record)", total, base>>20, peak>>20, grew/int64(total))
	// Generous: the dry run in batches of 1,000 grew by 3 MB; in one
	// transaction for everything (the dry run before) by 53 MB.
	if limit := int64(16 << 20); grew > limit {
		t.Errorf("the dry run's heap grew by %d MB for %d records, more than %d MB: does it hold the whole import?", grew>>20, total, limit>>20)
	}
}

// TestXZuFiMirrorDeletesMany mirrors 3,000 responsibilities, then an
// index without 2,500 of them (MaxShrink allowing it): the mirror deletes
// them, walking the peer's records in chunks, and keeps the rest.
func TestXZuFiMirrorDeletesMany(t *testing.T) {
	dir, _, src := exportMany(t, 3000)
	served := dir
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.FileServer(http.Dir(served)).ServeHTTP(w, r)
	}))
	defer srv.Close()
	by := newInstance(t, "BY", "090000000000")
	if _, err := AddPeer(ctx, by.st, Peer{ID: "HE", URL: srv.URL, Kind: KindXZuFi, RegionKey: "060000000000"}); err != nil {
		t.Fatal(err)
	}
	p, err := NewPuller(by.st, "HE", PullerOptions{MaxShrink: 0.9})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if got := kinds(by.recordsOf(t, "HE")); got[catalog.KindResponsibility] != 3000 || got[catalog.KindOffice] != 200 {
		t.Fatalf("mirrored %v; want 3000 responsibilities and 200 offices", got)
	}

	err = src.Update(ctx, func(tx *catalog.Tx) error {
		for i := range 2500 {
			if err := tx.Delete(catalog.KindResponsibility, fmt.Sprintf("HE.ZS.%010d", 100+i), catalog.Write{Actor: "test"}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	served = t.TempDir()
	if _, err := xzufi.Export(ctx, src, served, xzufi.ExportOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := p.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	got := by.recordsOf(t, "HE")
	if n := kinds(got); n[catalog.KindResponsibility] != 500 || n[catalog.KindOffice] != 200 || n[catalog.KindService] != 20 {
		t.Errorf("after the shrunk index: %v; want 500 responsibilities, 200 offices, 20 services", n)
	}
	for i := range 3000 {
		_, ok := got[string(catalog.KindResponsibility)+"\t"+fmt.Sprintf("HE.ZS.%010d", 100+i)]
		if ok != (i >= 2500) {
			t.Fatalf("responsibility %d mirrored: %v, want %v", i, ok, i >= 2500)
		}
	}
}

// kinds counts records ("kind TAB id" keys) by kind.
func kinds(recs map[string]recordInfo) map[catalog.Kind]int {
	out := map[catalog.Kind]int{}
	for k := range recs {
		kind, _, _ := strings.Cut(k, "\t")
		out[catalog.Kind(kind)]++
	}
	return out
}
