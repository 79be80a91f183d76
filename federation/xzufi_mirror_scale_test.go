package federation

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"testing"
	"time"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/catalog/catalogtest"
	"github.com/leistungsfinder/leistungsfinder/federation/xzufi"
)

// BenchmarkXZuFiMirrorExport measures the first pull of a mirror of an
// export made by `leistungsfinder xzufi export` (for BENCHMARKS.md: the M
// and L catalogues of `gen`). LF_XZUFI_MIRROR_SRC names the export's
// directory, which a file server on loopback serves; LF_XZUFI_MIRROR_REGIONS
// names a data directory whose region list (opened read-only) the fresh
// mirroring store gets first, as every portal loads it. Without them it is
// skipped.
//
//	go run ./cmd/leistungsfinder gen --scale M -o /tmp/lf-M
//	go run ./cmd/leistungsfinder xzufi export -data /tmp/lf-M -o /tmp/lf-M-xz
//	LF_XZUFI_MIRROR_SRC=/tmp/lf-M-xz LF_XZUFI_MIRROR_REGIONS=/tmp/lf-M \
//	  go test ./federation/ -run '^$' -bench XZuFiMirrorExport -benchtime 1x -timeout 2h
//
// It reports the peak heap in use while the pull ran (sampled every 5 ms)
// and its growth over the heap before, the pull's CPU time and records.
func BenchmarkXZuFiMirrorExport(b *testing.B) {
	src, m, regions := exportFromEnv(b)
	srv := httptest.NewServer(http.FileServer(http.Dir(src)))
	defer srv.Close()
	var peak, growth, live, top uint64
	var cpu time.Duration
	var applied int64
	batches := 0
	profile := os.Getenv("LF_XZUFI_HEAPPROFILE")
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		dst := regionStore(b, "BY", regions)
		if _, err := AddPeer(ctx, dst, Peer{ID: m.Portal, URL: srv.URL, Kind: KindXZuFi, RegionKey: "060000000000"}); err != nil {
			b.Fatal(err)
		}
		p, err := NewPuller(dst, m.Portal, PullerOptions{SwapBatch: envN("LF_XZUFI_SWAP_BATCH", 0), AtomicItems: -1})
		if err != nil {
			b.Fatal(err)
		}
		batches = 0
		p.afterSwapBatch = func() {
			batches++
			heapProfileAtPeak(profile, &top)
		}
		base := heapInuse()
		b.StartTimer()
		c0 := catalogtest.CPUTime()
		h, l, err := peakHeaps(func() error { return p.Sync(ctx) })
		cpu += catalogtest.CPUTime() - c0
		b.StopTimer()
		if err != nil {
			b.Fatal(err)
		}
		s := p.Status()
		if s.Degraded != "" || s.Quarantined != 0 {
			b.Fatalf("status after the pull: %+v", s)
		}
		applied = s.Applied
		peak = max(peak, h)
		live = max(live, l)
		growth = max(growth, h-min(h, base))
		dst.Close()
		b.StartTimer()
	}
	b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(growth)/(1<<20), "heap-growth-MB")
	b.ReportMetric(float64(live)/(1<<20), "peak-live-heap-MB")
	b.ReportMetric(float64(batches), "batches")
	b.ReportMetric(float64(applied), "records")
}

// heapProfileAtPeak writes a heap profile to path (if set) when the heap
// in use is the largest so far (*top).
func heapProfileAtPeak(path string, top *uint64) {
	if path == "" {
		return
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	if ms.HeapInuse <= *top {
		return
	}
	*top = ms.HeapInuse
	if f, err := os.Create(path); err == nil {
		pprof.Lookup("heap").WriteTo(f, 0)
		f.Close()
	}
}

// exportFromEnv returns the export LF_XZUFI_MIRROR_SRC names, its
// manifest and the regions (and the records of kinds) of the data
// directory LF_XZUFI_MIRROR_REGIONS (origin cleared: reference data every
// portal loads itself); without both it skips.
func exportFromEnv(b *testing.B, kinds ...catalog.Kind) (string, *xzufi.Manifest, []catalog.Record) {
	src, regionsDir := os.Getenv("LF_XZUFI_MIRROR_SRC"), os.Getenv("LF_XZUFI_MIRROR_REGIONS")
	if src == "" || regionsDir == "" {
		b.Skip("set LF_XZUFI_MIRROR_SRC (an xzufi export) and LF_XZUFI_MIRROR_REGIONS (a data directory with the region list)")
	}
	m, err := xzufi.ReadManifest(src)
	if err != nil || m == nil {
		b.Fatalf("%s: no export manifest: %v", src, err)
	}
	ref, err := catalog.Open(filepath.Join(regionsDir, "catalog.db"), catalog.Options{ReadOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	defer ref.Close()
	var regions []catalog.Record
	err = ref.View(ctx, func(tx *catalog.Tx) error {
		for _, k := range append([]catalog.Kind{catalog.KindRegion}, kinds...) {
			err := tx.Each(k, func(r catalog.Record) (bool, error) {
				catalog.MetaOf(r).Origin = ""
				regions = append(regions, r)
				return true, nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return src, m, regions
}

// regionStore opens a fresh store of a portal holding the regions.
func regionStore(b *testing.B, portal string, regions []catalog.Record) *catalog.Store {
	dst, err := catalog.Open(filepath.Join(b.TempDir(), "dst.db"), catalog.Options{Portal: portal})
	if err != nil {
		b.Fatal(err)
	}
	if err := dst.Update(ctx, func(tx *catalog.Tx) error {
		for _, r := range regions {
			if err := tx.Put(r, catalog.Write{Actor: "bench"}); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	return dst
}

// BenchmarkXZuFiImportExport imports the export LF_XZUFI_MIRROR_SRC names
// (as `leistungsfinder xzufi import` does: batches of 1,000) into a fresh
// store holding the regions and OZG bundles of LF_XZUFI_MIRROR_REGIONS, and reports the
// peak heap in use. With LF_XZUFI_HEAPPROFILE set it writes a heap profile
// there whenever the heap in use after a batch is the largest so far, to
// see what the peak is made of (go tool pprof -sample_index=inuse_space).
func BenchmarkXZuFiImportExport(b *testing.B) {
	// The OZG bundles the services name are reference data too.
	src, m, regions := exportFromEnv(b, catalog.KindBundle)
	profile := os.Getenv("LF_XZUFI_HEAPPROFILE")
	var peak, live uint64
	var cpu time.Duration
	var sum ImportSummary
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		dst := regionStore(b, m.Portal, regions)
		b.StartTimer()
		c0 := catalogtest.CPUTime()
		var top uint64
		h, l, err := peakHeaps(func() error {
			var err error
			sum, err = importFiles(dst, src, ImportOptions{Progress: func(ImportSummary) { heapProfileAtPeak(profile, &top) }})
			return err
		})
		cpu += catalogtest.CPUTime() - c0
		b.StopTimer()
		if err != nil {
			b.Fatal(err)
		}
		if sum.Rejected > 0 {
			b.Fatalf("import: %s: %v", sum, sum.Rejections[:min(3, len(sum.Rejections))])
		}
		peak, live = max(peak, h), max(live, l)
		dst.Close()
		b.StartTimer()
	}
	b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(live)/(1<<20), "peak-live-heap-MB")
	b.ReportMetric(float64(sum.Total()), "records")
}
