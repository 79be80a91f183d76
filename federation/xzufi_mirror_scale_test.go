package federation

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
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
	var regions []catalog.Record
	ref.View(ctx, func(tx *catalog.Tx) error {
		return tx.Each(catalog.KindRegion, func(r catalog.Record) (bool, error) {
			catalog.MetaOf(r).Origin = ""
			regions = append(regions, r)
			return true, nil
		})
	})
	ref.Close()
	srv := httptest.NewServer(http.FileServer(http.Dir(src)))
	defer srv.Close()
	var peak, growth uint64
	var cpu time.Duration
	var applied int64
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		dst, err := catalog.Open(filepath.Join(b.TempDir(), "dst.db"), catalog.Options{Portal: "BY"})
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
		if _, err := AddPeer(ctx, dst, Peer{ID: m.Portal, URL: srv.URL, Kind: KindXZuFi, RegionKey: "060000000000"}); err != nil {
			b.Fatal(err)
		}
		p, err := NewPuller(dst, m.Portal, PullerOptions{})
		if err != nil {
			b.Fatal(err)
		}
		base := heapInuse()
		b.StartTimer()
		c0 := catalogtest.CPUTime()
		h, err := peakHeap(func() error { return p.Sync(ctx) })
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
		growth = max(growth, h-min(h, base))
		dst.Close()
		b.StartTimer()
	}
	b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(growth)/(1<<20), "heap-growth-MB")
	b.ReportMetric(float64(applied), "records")
}
