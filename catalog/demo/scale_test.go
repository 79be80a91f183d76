package demo

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/catalog/catalogtest"
)

// testScale is a little above the demo catalogue, so that every kind of
// synthetic record is made, and small enough for a unit test.
var testScale = Scale{Name: "T", Services: 1_200, Offices: 900, Responsibilities: 40_000}

func openAt(t *testing.T) *catalog.Store {
	now := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	return catalogtest.Open(t, catalog.Options{Portal: "HE", Now: func() time.Time { return now }})
}

// TestLoadScale writes a small generated catalogue once straight through
// and once killed after three batches and resumed, and checks that both
// are the same catalogue, of the size asked for, with the demo inside.
func TestLoadScale(t *testing.T) {
	if testing.Short() {
		// Three full loads of a generated catalogue: minutes under the race
		// detector, which CI runs with -short; the plain test run covers it.
		t.Skip("long: loads a generated catalogue three times; run without -short")
	}
	whole := openAt(t)
	sum, err := LoadScale(ctx, whole, testScale, ScaleOptions{Seed: 7, BatchSize: 2_000, Log: testLogger(t)})
	if err != nil {
		t.Fatalf("LoadScale: %v", err)
	}

	t.Run("Size", func(t *testing.T) {
		if sum.Services != testScale.Services || sum.Offices != testScale.Offices || sum.Responsibilities != testScale.Responsibilities {
			t.Errorf("summary = %+v, want %d services, %d offices, %d responsibilities", sum, testScale.Services, testScale.Offices, testScale.Responsibilities)
		}
		view(t, whole, func(tx *catalog.Tx) {
			for k, want := range map[catalog.Kind]int{catalog.KindService: testScale.Services, catalog.KindOffice: testScale.Offices,
				catalog.KindResponsibility: testScale.Responsibilities, catalog.KindRegion: sum.Regions} {
				if got := tx.Count(k); got != want {
					t.Errorf("%s records = %d, want %d", k, got, want)
				}
			}
		})
	})

	t.Run("DemoInside", func(t *testing.T) {
		view(t, whole, func(tx *catalog.Tx) {
			ls, err := tx.LocalService(gewerbeAnmelden, eschwege, at)
			if err != nil {
				t.Fatalf("LocalService: %v", err)
			}
			if len(ls.Offices) == 0 || !strings.Contains(ls.Offices[0].Office.Name.String(), "Eschwege") {
				t.Errorf("Gewerbe anmelden in Eschwege: offices = %+v, want the Magistrat of Eschwege", ls.Offices)
			}
		})
	})

	t.Run("SyntheticServiceForAPlace", func(t *testing.T) {
		// Every synthetic responsibility points to an office at its place
		// or above it, so a lookup at the place finds it.
		view(t, whole, func(tx *catalog.Tx) {
			r, err := tx.Responsibility("HE.ZS.0007000001")
			if err != nil {
				t.Fatal(err)
			}
			ls, err := tx.LocalService(r.LeikaKey, r.RegionKey, at)
			if err != nil {
				t.Fatalf("LocalService(%s, %s): %v", r.LeikaKey, r.RegionKey, err)
			}
			if len(ls.Offices) == 0 {
				t.Errorf("LocalService(%s, %s) has no office", r.LeikaKey, r.RegionKey)
			}
			if ls.Service.Texts[catalog.ModuleName].String() == "" {
				t.Error("synthetic service has no name")
			}
		})
	})

	t.Run("ResumedAfterKill", func(t *testing.T) {
		st := openAt(t)
		killed, kill := context.WithCancel(ctx)
		_, err := LoadScale(killed, st, testScale, ScaleOptions{Seed: 7, BatchSize: 2_000, AfterBatch: func(n int) {
			if n >= 3*2_000 {
				kill()
			}
		}})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("first run: err = %v, want context.Canceled", err)
		}
		var resumed int
		if _, err := LoadScale(ctx, st, testScale, ScaleOptions{Seed: 7, BatchSize: 2_000, AfterBatch: func(n int) { resumed = n }}); err != nil {
			t.Fatalf("resumed run: %v", err)
		}
		if total := int(st.Revision()); resumed != total-3*2_000 {
			t.Errorf("resumed run wrote %d records, want %d (the %d not written before)", resumed, total-3*2_000, total)
		}
		a, b := catalogtest.Contents(t, whole, catalog.Kinds...), catalogtest.Contents(t, st, catalog.Kinds...)
		if len(a) != len(b) {
			t.Fatalf("resumed store has %d records, uninterrupted one %d", len(b), len(a))
		}
		for k, v := range a {
			if b[k] != v {
				t.Fatalf("%s differs:\n resumed       %.300s\n uninterrupted %.300s", k, b[k], v)
			}
		}
	})

	t.Run("OtherSeedOtherCatalogue", func(t *testing.T) {
		c, err := build(testLogger(t))
		if err != nil {
			t.Fatal(err)
		}
		name := func(seed uint64) string {
			g, err := newScaler(c, testScale, seed)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := json.Marshal(g.service(0))
			return string(b)
		}
		if a, b := name(7), name(8); a == b {
			t.Errorf("seeds 7 and 8 made the same first synthetic service: %.200s", a)
		}
		if a, b := name(7), name(7); a != b {
			t.Errorf("seed 7 made two different first services:\n%.200s\n%.200s", a, b)
		}
	})
}
