package search

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/catalog/catalogtest"
)

// TestPlacesFollowTheClock: Hanau changed its key on 2026-01-01 (it became
// district-free). A query naming Hanau is filtered by the old key until
// the last day of 2025 and by the new key from the first day of 2026,
// without any write to the store in between: the place table is refreshed
// when the clock passes a region's validity boundary.
func TestPlacesFollowTheClock(t *testing.T) {
	clock := catalogtest.NewClock(catalogtest.HanauReform.Add(-time.Hour))
	f := newFixtureWith(t, catalog.Options{Portal: "HE", Now: clock.Now})
	ix := openMem(t, f.st)
	rev := f.st.Revision()
	placeOf := func(q string) string {
		t.Helper()
		res, err := ix.Search(ctx, Request{Query: q})
		require.NoError(t, err)
		return res.ARS
	}
	for _, q := range []string{"bafög hanau", "bafög 63450"} {
		if got, want := placeOf(q), catalogtest.HanauOld; got != want {
			t.Errorf("%s on %s: place %s, want %s (the old key)", q, clock.Now().Format(time.DateTime), got, want)
		}
	}
	clock.Set(catalogtest.HanauReform)
	for _, q := range []string{"bafög hanau", "bafög 63450"} {
		if got, want := placeOf(q), catalogtest.HanauNew; got != want {
			t.Errorf("%s on %s: place %s, want %s (the new key)", q, clock.Now().Format(time.DateTime), got, want)
		}
	}
	// Back before the reform (a clock set back): the old key again.
	clock.Set(catalogtest.HanauReform.AddDate(0, -1, 0))
	if got, want := placeOf("bafög hanau"), catalogtest.HanauOld; got != want {
		t.Errorf("a month before the reform: place %s, want %s", got, want)
	}
	if got := f.st.Revision(); got != rev {
		t.Fatalf("the store was written during the test: revision %d, want %d", got, rev)
	}
}
