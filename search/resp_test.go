package search

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leistungsfinder/leistungsfinder/catalog"
)

// TestResponsibilityHistoryCompacted: the index keeps no copy of the
// responsibilities and learns from the catalogue's history which documents
// a deleted responsibility named. When compaction has removed that
// version, it rebuilds rather than leave a stale region filter.
func TestResponsibilityHistoryCompacted(t *testing.T) {
	f := newFixture(t)
	ix := openMem(t, f.st)
	require.False(t, found(t, ix, "Hundesteuer", arsLKKassel, keyHundesteuer))

	r := &catalog.Responsibility{LeikaKey: keyHundesteuer, RegionKey: arsLKKassel, OfficeID: f.offices[arsEschwege],
		Role: catalog.RoleResponsible}
	write(t, f.st, func(tx *catalog.Tx) error { return tx.Put(r, catalog.Write{Actor: "test"}) })
	require.NoError(t, ix.CatchUp(ctx))
	require.True(t, found(t, ix, "Hundesteuer", arsLKKassel, keyHundesteuer), "a new responsibility extends the region filter")

	write(t, f.st, func(tx *catalog.Tx) error {
		return tx.Delete(catalog.KindResponsibility, r.ID, catalog.Write{Actor: "test"})
	})
	before := ix.rebuilds.Load()
	_, err := f.st.Compact(ctx, f.st.Revision()-1)
	require.NoError(t, err)
	require.NoError(t, ix.CatchUp(ctx))
	assert.Equal(t, before+1, ix.rebuilds.Load(), "the deleted version is gone from history: rebuilt")
	assert.False(t, found(t, ix, "Hundesteuer", arsLKKassel, keyHundesteuer))
	assert.True(t, found(t, ix, "Hundesteuer", arsEschwege, keyHundesteuer))
}
