package catalog_test

import (
	"context"
	"os"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/catalog/catalogtest"
	"github.com/leistungsfinder/leistungsfinder/catalog/demo"
	"github.com/leistungsfinder/leistungsfinder/i18n"
)

func demoStore(b *testing.B) *catalog.Store {
	b.Helper()
	st := catalogtest.Open(b, catalog.Options{Portal: "HE"})
	_, err := demo.Load(context.Background(), st, nil)
	require.NoError(b, err)
	return st
}

// BenchmarkLocalService resolves, as the API does (shared records), Gewerbe anmelden for Eschwege: region,
// service, responsibilities up the hierarchy, offices, online services,
// specialisations, text merge.
func BenchmarkLocalService(b *testing.B) {
	st := demoStore(b)
	now := time.Now()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		err := st.ViewShared(context.Background(), func(tx *catalog.Tx) error {
			_, err := tx.LocalService("99050012104000", "066360003003", now)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkServiceByLeika(b *testing.B) {
	st := demoStore(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		err := st.View(context.Background(), func(tx *catalog.Tx) error {
			_, err := tx.ServiceByLeika("99050012104000", false, time.Time{})
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFindRegions(b *testing.B) {
	st := demoStore(b)
	now := time.Now()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		err := st.View(context.Background(), func(tx *catalog.Tx) error {
			_, err := tx.FindRegions("Eschwege", now)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOfficeWrite(b *testing.B) {
	st := demoStore(b)
	var o *catalog.Office
	require.NoError(b, st.View(context.Background(), func(tx *catalog.Tx) error {
		ids, err := tx.OfficeIDsIn("066360003003")
		if err != nil {
			return err
		}
		o, err = tx.Office(ids[0])
		return err
	}))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		err := st.Update(context.Background(), func(tx *catalog.Tx) error {
			return tx.Put(o, catalog.Write{Expected: catalog.Expect(o.Revision)})
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkConcurrentEdits runs updateOffice commands (Store.Apply, the
// editors' write path) from 8 goroutines at once, each on offices of its
// own, and reports edits/s. On the demo store by default; with
// LF_BENCH_STORE on that store file (it writes to it: a copy only, e.g.
// of an L directory's catalog.db), and with LF_BENCH_COMPACT=1 after
// compacting its change log to the last revision first, as the federation
// bench does (a large freelist makes every bbolt commit dearer, which
// the group commit shares among the edits waiting).
func BenchmarkConcurrentEdits(b *testing.B) {
	ctx := context.Background()
	var st *catalog.Store
	if path := os.Getenv("LF_BENCH_STORE"); path != "" {
		var err error
		st, err = catalog.Open(path, catalog.Options{})
		require.NoError(b, err)
		defer st.Close()
	} else {
		st = demoStore(b)
	}
	if os.Getenv("LF_BENCH_COMPACT") != "" && st.Revision() > 1 {
		_, err := st.Compact(ctx, st.Revision()-1)
		require.NoError(b, err)
	}
	const writers = 8
	type office struct {
		id  string
		rev uint64
	}
	var offices []office
	require.NoError(b, st.View(ctx, func(tx *catalog.Tx) error {
		return tx.Each(catalog.KindOffice, func(r catalog.Record) (bool, error) {
			m := catalog.MetaOf(r)
			offices = append(offices, office{m.ID, m.Revision})
			return len(offices) < 4000, nil
		})
	}))
	require.GreaterOrEqual(b, len(offices), writers)
	var next atomic.Int64
	b.SetParallelism((writers + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		w := int(next.Add(1) - 1)
		n := 0
		for pb.Next() {
			o := &offices[w+writers*(n%(len(offices)/writers))] // this writer's own
			n++
			note := i18n.Version{Value: "Stand " + strconv.Itoa(n)}
			res, err := st.Apply(ctx, stateEditor, catalog.UpdateOffice{ID: o.id, ExpectedRevision: o.rev,
				Patch: catalog.OfficePatch{Accessibility: catalog.Set(catalog.TextPatch{i18n.DE: &note})}}, "bench")
			if err != nil {
				b.Error(err)
				return
			}
			o.rev = revOf(res.Record)
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "edits/s")
}
