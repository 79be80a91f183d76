package catalog_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/catalog/catalogtest"
)

// bavarianMirror writes, as a mirror's first load would, a Bavarian
// service, n offices in Munich and a responsibility of each for it, with
// their index entries deferred. It returns the responsibilities.
func bavarianMirror(t *testing.T, st *catalog.Store, n int) []*catalog.Responsibility {
	t.Helper()
	w := catalog.Write{Mirror: true, DeferIndexes: true}
	svc := newService()
	svc.ID, svc.Origin, svc.RegionKey = "BY.LB.0000000001", "BY", catalogtest.Bayern
	put(t, st, svc, w)
	var resps []*catalog.Responsibility
	for i := range n {
		o := newOffice(fmt.Sprintf("Kreisverwaltungsreferat %d", i), catalogtest.Muenchen, "Ruppertstraße 19")
		o.ID, o.Origin = fmt.Sprintf("BY.OE.%010d", i+1), "BY"
		put(t, st, o, w)
		r := &catalog.Responsibility{LeikaKey: gewerbe, RegionKey: catalogtest.Muenchen, OfficeID: o.ID, Role: catalog.RoleResponsible}
		r.ID, r.Origin = fmt.Sprintf("BY.ZS.%010d", i+1), "BY"
		put(t, st, r, w)
		resps = append(resps, r)
	}
	return resps
}

// officesAt lists the IDs of the offices responsible for the business
// registration in place, as a citizen's lookup finds them.
func officesAt(t *testing.T, st *catalog.Store, place string) []string {
	t.Helper()
	var ids []string
	require.NoError(t, st.View(ctx, func(tx *catalog.Tx) error {
		ls, err := tx.LocalService(gewerbe, place, time.Now())
		if catalog.ErrorCode(err) == catalog.ENOTFOUND {
			return nil
		}
		require.NoError(t, err)
		for _, o := range ls.Offices {
			ids = append(ids, o.ID)
		}
		return nil
	}))
	return ids
}

// Records written with their index entries deferred are found by ID at
// once and by place only after BuildDeferredIndexes, which leaves the
// store as if they had been written one by one (Check compares every
// index with the records); meanwhile Check does not call them damaged.
func TestDeferredIndexesAreBuiltAfterTheLoad(t *testing.T) {
	st := mustOpen(t)
	seedRegions(t, st)
	bavarianMirror(t, st, 3)

	require.NoError(t, st.View(ctx, func(tx *catalog.Tx) error {
		assert.True(t, tx.IndexesDeferred("BY"))
		assert.False(t, tx.IndexesDeferred("HE"))
		o, err := tx.Office("BY.OE.0000000002")
		require.NoError(t, err, "a record is found by ID before its indexes are built")
		assert.Equal(t, "BY", o.Origin)
		return nil
	}))
	assert.Empty(t, officesAt(t, st, catalogtest.Muenchen), "found by place before the index entries exist")
	require.NoError(t, st.Check(), "missing entries of an origin awaiting them are not damage")

	n, err := st.BuildDeferredIndexes(ctx, "BY")
	require.NoError(t, err)
	// Per office its region; per responsibility place, region and office;
	// the service's LeiKa key and its name in two languages.
	assert.Equal(t, 3*1+3*3+1+2, n)
	assert.ElementsMatch(t, []string{"BY.OE.0000000001", "BY.OE.0000000002", "BY.OE.0000000003"}, officesAt(t, st, catalogtest.Muenchen))
	require.NoError(t, st.View(ctx, func(tx *catalog.Tx) error {
		assert.False(t, tx.IndexesDeferred("BY"))
		return nil
	}))
	require.NoError(t, st.Check())

	n, err = st.BuildDeferredIndexes(ctx, "BY")
	require.NoError(t, err)
	assert.Zero(t, n, "a second build has nothing to do")
}

// A build that a record of the origin changes under starts over: the
// changed record's new entries stay, its old version's collected entries
// are not written, and Check finds no dangling entry.
func TestDeferredIndexBuildStartsOverWhenARecordChanges(t *testing.T) {
	st := mustOpen(t)
	seedRegions(t, st)
	resps := bavarianMirror(t, st, 20)
	other := newOffice("Landratsamt München", catalogtest.Oberbayern, "Mariahilfplatz 17")
	other.ID, other.Origin = "BY.OE.0000009999", "BY"
	put(t, st, other, catalog.Write{Mirror: true})

	batches := 0
	catalog.SetDeferredBatches(st, 4, func() {
		if batches++; batches == 2 {
			moved := *resps[0]
			moved.RegionKey, moved.OfficeID = catalogtest.Oberbayern, other.ID
			put(t, st, &moved, catalog.Write{Mirror: true})
		}
	})
	_, err := st.BuildDeferredIndexes(ctx, "BY")
	require.NoError(t, err)
	assert.Greater(t, batches, 2, "the build went on after the change")
	require.NoError(t, st.Check())
	assert.Len(t, officesAt(t, st, catalogtest.Muenchen), 19)
	assert.NotContains(t, officesAt(t, st, catalogtest.Muenchen), other.ID)
}

// Only a mirror's records may leave their index entries for later: a
// local write that asks is refused and writes nothing.
func TestLocalRecordsCannotDeferIndexes(t *testing.T) {
	st := mustOpen(t)
	seedRegions(t, st)
	err := st.Update(ctx, func(tx *catalog.Tx) error {
		return tx.Put(newService(), catalog.Write{DeferIndexes: true})
	})
	require.Error(t, err)
	require.NoError(t, st.View(ctx, func(tx *catalog.Tx) error {
		assert.False(t, tx.IndexesDeferred("HE"))
		svcs, err := tx.ServicesByLeika(gewerbe)
		require.NoError(t, err)
		assert.Empty(t, svcs)
		return nil
	}))
}
