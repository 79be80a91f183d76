package federation

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/catalog/catalogtest"
	"github.com/leistungsfinder/leistungsfinder/catalog/demo"
	"github.com/leistungsfinder/leistungsfinder/federation/xzufi"
	"github.com/leistungsfinder/leistungsfinder/i18n"
)

// The XZuFi benchmarks export and import the demo catalogue plus
// LF_XZUFI_SERVICES services (default 2,000) with LF_XZUFI_RESPONSIBILITIES
// responsibilities (default 50,000) spread over 2,000 offices in Hessian
// municipalities. The figure, 20,000 services with 5 million
// responsibilities:
//
//	LF_XZUFI_SERVICES=20000 LF_XZUFI_RESPONSIBILITIES=5000000 go test ./federation/ -run XXX -bench XZuFi -benchtime 1x -timeout 3h
//
// With both 0 the catalogue is the demo alone (no generated offices).
//
// They report peak-heap-MB (the largest heap in use while the operation
// ran, sampled every 5 ms), MB written or read and records/s.

func envN(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v >= 0 {
		return v
	}
	return def
}

var (
	scaleOnce sync.Once
	scaleSt   *catalog.Store
	scaleErr  error
	scaleDir  string
)

// scaleStore builds the benchmark catalogue once per process.
func scaleStore(b *testing.B) *catalog.Store {
	scaleOnce.Do(func() {
		scaleDir, scaleErr = os.MkdirTemp("", "xzufi-bench-")
		if scaleErr != nil {
			return
		}
		scaleSt, scaleErr = catalog.Open(filepath.Join(scaleDir, "src.db"), catalog.Options{Portal: "HE"})
		if scaleErr != nil {
			return
		}
		if _, scaleErr = demo.Load(ctx, scaleSt, nil); scaleErr != nil {
			return
		}
		scaleErr = generate(scaleSt, envN("LF_XZUFI_SERVICES", 2000), envN("LF_XZUFI_RESPONSIBILITIES", 50000))
	})
	if scaleErr != nil {
		b.Fatal(scaleErr)
	}
	return scaleSt
}

// generate writes services, 2,000 offices and responsibilities for them.
func generate(st *catalog.Store, services, responsibilities int) error {
	var places []string
	err := st.View(ctx, func(tx *catalog.Tx) error {
		return tx.Each(catalog.KindRegion, func(r catalog.Record) (bool, error) {
			reg := r.(*catalog.Region)
			if reg.Level == catalog.LevelGemeinde && reg.ID[:2] == "06" {
				places = append(places, reg.ID)
			}
			return true, nil
		})
	})
	if err != nil {
		return err
	}
	w := catalog.Write{Actor: "bench"}
	put := func(recs []catalog.Record) error {
		return st.Update(ctx, func(tx *catalog.Tx) error {
			for _, r := range recs {
				if err := tx.Put(r, w); err != nil {
					return err
				}
			}
			return nil
		})
	}
	var batch []catalog.Record
	flush := func() error {
		err := put(batch)
		batch = batch[:0]
		return err
	}
	leika := func(i int) string { return fmt.Sprintf("98%012d", i) }
	for i := 0; i < services; i++ {
		batch = append(batch, &catalog.Service{Meta: catalog.Meta{ID: fmt.Sprintf("HE.LB.%010d", 5_000_000+i)}, Status: catalog.StatusPublished,
			RegionKey: "060000000000", LeikaKeys: []string{leika(i)},
			Texts: map[catalog.Module]i18n.Text{
				catalog.ModuleName:      i18n.Bilingual(fmt.Sprintf("Leistung %d beantragen", i), fmt.Sprintf("Apply for service %d", i)),
				catalog.ModuleShortText: i18n.German("<p>Kurztext der Leistung mit etwas Inhalt, damit die Datei realistisch wird.</p>"),
				catalog.ModuleFullText:  i18n.German("<p>Volltext der Leistung.</p><ul><li>Erstens</li><li>Zweitens</li></ul>"),
			},
			Fees: []catalog.Fee{{Kind: catalog.FeeFixed, Amount: 2500, Description: i18n.German("Gebühr")}}})
		if len(batch) == 5000 {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	offices := 2000
	if services == 0 && responsibilities == 0 {
		offices = 0
	}
	for i := 0; i < offices; i++ {
		batch = append(batch, &catalog.Office{Meta: catalog.Meta{ID: fmt.Sprintf("HE.OE.%010d", 5_000_000+i)},
			Name: i18n.German(fmt.Sprintf("Amt %d", i)), Kind: catalog.OfficeMunicipality, RegionKey: places[i%len(places)],
			Addresses: []catalog.Address{{Kind: catalog.AddressVisitor, Street: "Marktplatz 1", PostalCode: "34117", City: "Kassel"}}})
	}
	if err := flush(); err != nil {
		return err
	}
	for i := 0; i < responsibilities; i++ {
		o := i % offices
		batch = append(batch, &catalog.Responsibility{Meta: catalog.Meta{ID: fmt.Sprintf("HE.ZS.%010d", 5_000_000+i)},
			LeikaKey: leika((i / offices) % max(services, 1)), RegionKey: places[o%len(places)],
			OfficeID: fmt.Sprintf("HE.OE.%010d", 5_000_000+o), Role: catalog.RoleResponsible})
		if len(batch) == 10000 {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

// heapInuse is the heap in use after a collection.
func heapInuse() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}

// peakHeap samples the heap in use while fn runs.
func peakHeap(fn func() error) (uint64, error) {
	inuse, _, err := peakHeaps(fn)
	return inuse, err
}

// peakHeaps samples every 5 ms while fn runs the heap in use (garbage not
// yet collected included) and the live heap as of the last collection,
// and returns the peak of each.
func peakHeaps(fn func() error) (inuse, live uint64, err error) {
	runtime.GC()
	var peak, peakLive atomic.Uint64
	done, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		var ms runtime.MemStats
		sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		for {
			runtime.ReadMemStats(&ms)
			peak.Store(max(peak.Load(), ms.HeapInuse))
			metrics.Read(sample)
			peakLive.Store(max(peakLive.Load(), sample[0].Value.Uint64()))
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	err = fn()
	close(done)
	<-stopped
	return peak.Load(), peakLive.Load(), err
}

func BenchmarkXZuFiExport(b *testing.B) {
	st := scaleStore(b)
	var m *xzufi.Manifest
	var peak uint64
	var cpu time.Duration
	for i := 0; i < b.N; i++ {
		dir := b.TempDir()
		c0 := catalogtest.CPUTime()
		p, err := peakHeap(func() error {
			var err error
			m, err = xzufi.Export(ctx, st, dir, xzufi.ExportOptions{})
			return err
		})
		cpu += catalogtest.CPUTime() - c0
		if err != nil {
			b.Fatal(err)
		}
		peak = max(peak, p)
	}
	b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(m.Bytes())/(1<<20), "MB")
	b.ReportMetric(float64(len(m.Files)), "files")
	b.ReportMetric(float64(m.Counts.Objects()+m.Counts.Responsibilities)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

// scaleExport exports the benchmark catalogue once per process.
func scaleExport(b *testing.B) (*catalog.Store, string, *xzufi.Manifest) {
	st := scaleStore(b)
	src := filepath.Join(scaleDir, "export")
	if _, err := os.Stat(filepath.Join(src, xzufi.IndexFile)); err != nil {
		if _, err := xzufi.Export(ctx, st, src, xzufi.ExportOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	m, err := xzufi.ReadManifest(src)
	if err != nil {
		b.Fatal(err)
	}
	return st, src, m
}

// importFiles imports the XZuFi files of dir into st, as `xzufi import`
// does.
func importFiles(st *catalog.Store, dir string, opt ImportOptions) (ImportSummary, error) {
	set, _, err := OpenXZuFi(ctx, dir, XZuFiOptions{})
	if err != nil {
		return ImportSummary{}, err
	}
	defer set.Close()
	next, stop := set.Items(ctx)
	defer stop()
	opt.LeikaKeys = set.LeikaKeys
	return Import(ctx, st, next, opt)
}

func BenchmarkXZuFiImport(b *testing.B) { benchmarkImport(b, false) }

// BenchmarkXZuFiDryRun is the import with -dry-run (batches rolled back).
func BenchmarkXZuFiDryRun(b *testing.B) { benchmarkImport(b, true) }

func benchmarkImport(b *testing.B, dry bool) {
	st, src, m := scaleExport(b)
	var peak uint64
	var sum ImportSummary
	var cpu time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		dst, err := catalog.Open(filepath.Join(b.TempDir(), "dst.db"), catalog.Options{Portal: "HE"})
		if err != nil {
			b.Fatal(err)
		}
		referenceData(b, st, dst)
		runtime.GC()
		b.StartTimer()
		c0 := catalogtest.CPUTime()
		p, err := peakHeap(func() error {
			var err error
			sum, err = importFiles(dst, src, ImportOptions{BatchSize: 5000, DryRun: dry})
			return err
		})
		b.StopTimer()
		cpu += catalogtest.CPUTime() - c0
		if err != nil {
			b.Fatal(err)
		}
		if sum.Rejected > 0 || sum.Created != m.Counts.Objects()+m.Counts.Responsibilities {
			b.Fatalf("import: %s, want %d created", sum, m.Counts.Objects()+m.Counts.Responsibilities)
		}
		fi, _ := os.Stat(dst.Path())
		b.ReportMetric(float64(fi.Size())/(1<<20), "store-MB")
		dst.Close()
		peak = max(peak, p)
		b.StartTimer()
	}
	b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(m.Bytes())/(1<<20), "MB")
	b.ReportMetric(float64(sum.Total())*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

// TestMain removes the benchmark catalogue after the run.
func TestMain(m *testing.M) {
	code := m.Run()
	if scaleSt != nil {
		scaleSt.Close()
	}
	if scaleDir != "" {
		os.RemoveAll(scaleDir)
	}
	os.Exit(code)
}

// BenchmarkXZuFiMirror mirrors the benchmark catalogue's export as an
// XZuFi peer (served by a file server on loopback) into a portal that has
// only the reference data: first a mirror that creates everything, then
// the same index again (everything unchanged). Both apply the snapshot in
// transactions of SwapBatch (10,000) items: the heap grows by what a
// batch writes, not by the catalogue (with one transaction for the whole
// snapshot, before, the first pull took 5.6 KB a record). The heap figures
// are growth over the heap in use before each pull (the process holds the
// benchmark catalogue's build besides).
func BenchmarkXZuFiMirror(b *testing.B) {
	st, src, m := scaleExport(b)
	srv := httptest.NewServer(http.FileServer(http.Dir(src)))
	defer srv.Close()
	var firstPeak, againPeak uint64
	var firstCPU, againCPU time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		var regions []catalog.Record
		st.View(ctx, func(tx *catalog.Tx) error {
			return tx.Each(catalog.KindRegion, func(r catalog.Record) (bool, error) {
				catalog.MetaOf(r).Origin = "" // every portal loads the region list itself
				regions = append(regions, r)
				return true, nil
			})
		})
		dst := regionStore(b, "BY", regions)
		if _, err := AddPeer(ctx, dst, Peer{ID: "HE", URL: srv.URL, Kind: KindXZuFi, RegionKey: "060000000000"}); err != nil {
			b.Fatal(err)
		}
		p, err := NewPuller(dst, "HE", PullerOptions{AtomicItems: -1})
		if err != nil {
			b.Fatal(err)
		}
		regions = nil
		b.StartTimer()
		for pass, peak := range []*uint64{&firstPeak, &againPeak} {
			c0 := catalogtest.CPUTime()
			base := heapInuse()
			h, err := peakHeap(func() error { return p.Sync(ctx) })
			h -= min(h, base)
			if err != nil {
				b.Fatal(err)
			}
			if s := p.Status(); s.Degraded != "" || s.Quarantined != 0 {
				b.Fatalf("pass %d: %+v", pass, s)
			}
			*peak = max(*peak, h)
			if pass == 0 {
				firstCPU += catalogtest.CPUTime() - c0
			} else {
				againCPU += catalogtest.CPUTime() - c0
			}
		}
		b.StopTimer()
		dst.Close()
		b.StartTimer()
	}
	b.ReportMetric(firstCPU.Seconds()/float64(b.N), "first-cpu-s/op")
	b.ReportMetric(againCPU.Seconds()/float64(b.N), "again-cpu-s/op")
	b.ReportMetric(float64(firstPeak)/(1<<20), "first-heap-growth-MB")
	b.ReportMetric(float64(againPeak)/(1<<20), "again-heap-growth-MB")
	b.ReportMetric(float64(m.Counts.Objects()+m.Counts.Responsibilities), "records")
}
