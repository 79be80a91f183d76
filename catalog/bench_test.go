package catalog_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/catalog/catalogtest"
	"github.com/leistungsfinder/leistungsfinder/catalog/demo"
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
